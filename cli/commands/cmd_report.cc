// `report`: print or export the report of an earlier run, or list the runs.
// Entries are streamed from the store into the writer: constant memory.
#include <CLI/CLI.hpp>

#include <ostream>
#include <memory>

#include "cli/commands/command_set.h"
#include "cli/commands/commands.h"
#include "cli/exit_codes.h"
#include "core/report/report.h"

namespace crmr {

int cmd_report(Context& ctx, const ReportOptions& o) {
  ctx.dry_run = true;  // reading only
  auto store = ctx.open_existing_store();
  if (!store) return ctx.fail_with(store.error());
  std::ostream& os = ctx.out.out();
  if (o.list) {
    auto runs = (*store)->list_runs(100);
    if (!runs) return ctx.fail_with(runs.error());
    // id, command, status (ok/partial/failed; "running" while unfinished),
    // started, finished, totals, error.
    for (const auto& r : *runs)
      os << r.id << '\t' << r.command << '\t'
         << (!r.status.empty() ? r.status : r.finished.empty() ? "running" : "-") << '\t'
         << r.started << '\t' << r.finished << '\t' << r.totals_json << '\t' << r.error << '\n';
    return kExitOk;
  }
  auto id = (*store)->resolve_run(o.run);
  if (!id) return ctx.fail_with(id.error());
  auto header_json = (*store)->run_report_json(*id);
  if (!header_json) return ctx.fail_with(header_json.error());
  auto header = read_json("{\"run\":" + *header_json + ",\"messages\":[]}");
  if (!header) return ctx.fail_with(header.error());

  auto writer = o.output.empty() ? open_report_stream(os, o.format.empty() ? "text" : o.format)
                                 : open_report_writer(o.output);
  if (!writer) {
    ctx.out.error(writer.error().describe());
    return kExitUsage;
  }
  Status st = (*store)->for_each_run_entry(*id, [&](const std::string& js) -> Status {
    auto e = entry_from_json(js);
    if (!e) return std::unexpected(e.error());
    return (*writer)->add(*e);
  });
  RunHeader run = header->header();
  // Runs recorded before the report carried them: the id asked for, and the
  // CRM of the current configuration for the links.
  if (run.id == 0) run.id = *id;
  if (run.crm_url.empty() && ctx.cfg.crm.configured()) run.crm_url = crm_web_base(ctx.cfg.crm.url);
  if (st) st = (*writer)->finish(run);
  if (!st) {
    ctx.out.error(st.error().describe());
    return kExitPartial;
  }
  return kExitOk;
}

// --- its command line ---

void add_report_command(CLI::App& app, CommandSet& set) {
  auto o = std::make_shared<ReportOptions>();
  auto* c = set.add(app, "report", "Print or export the report of an earlier run",
                    [o](Context& ctx) { return cmd_report(ctx, *o); });
  c->add_option("--run", o->run, "Run id (default: the latest)");
  c->add_option("--format", o->format, "text, json, csv or html")
      ->check(CLI::IsMember({"text", "json", "csv", "html"}));
  c->add_option("-o,--output", o->output, "Write to FILE instead of stdout");
  c->add_flag("--list", o->list, "List the recorded runs");
}

}  // namespace crmr
