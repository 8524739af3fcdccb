// `report`: print or export the report of an earlier run, or list the runs.
#include <ostream>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "core/report.h"

namespace crmr {

int cmd_report(Context& ctx, const ReportOptions& o) {
  ctx.dry_run = true;  // reading only
  auto store = ctx.open_store();
  if (!store) return ctx.fail_with(store.error());
  std::ostream& os = ctx.out.out();
  if (o.list) {
    auto runs = (*store)->list_runs(100);
    if (!runs) return ctx.fail_with(runs.error());
    for (const auto& r : *runs)
      os << r.id << '\t' << r.command << '\t' << r.started << '\t' << r.finished << '\t'
         << r.totals_json << '\n';
    return kExitOk;
  }
  auto js = (*store)->run_report_json(o.run);
  if (!js) return ctx.fail_with(js.error());
  auto report = read_json(*js);
  if (!report) return ctx.fail_with(report.error());
  if (!o.output.empty()) {
    if (auto s = write_report_file(*report, o.output); !s) {
      ctx.out.error(s.error().describe());
      return kExitInput;
    }
    return kExitOk;
  }
  const std::string f = o.format.empty() ? "text" : o.format;
  if (f == "json") write_json(*report, os);
  else if (f == "csv") write_csv(*report, os);
  else if (f == "html") write_html(*report, os);
  else write_text_summary(*report, os, true);
  return kExitOk;
}

}  // namespace crmr
