#include "cli/run_summary.h"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <sstream>

#include "cli/exit_codes.h"

namespace crmr {

RunRecorder::RunRecorder(Context& ctx, Store& store, std::string command)
    : ctx_(ctx), store_(store) {
  report_.command = std::move(command);
  report_.dry_run = ctx.dry_run;
}

Status RunRecorder::begin() {
  t0_ = last_progress_ = std::chrono::steady_clock::now();
  report_.started = iso_now();
  if (ctx_.dry_run) return {};
  auto id = store_.begin_run(report_.command, report_.started);
  if (!id) return std::unexpected(id.error());
  run_id_ = *id;
  return {};
}

EntrySink RunRecorder::sink() {
  return [this](ReportEntry&& e) {
    if (e.outcome == "quarantined" || e.outcome == "failed")
      spdlog::warn("{} {}: {}: {}", e.source, e.position, e.outcome, e.error);
    report_.messages.push_back(std::move(e));
  };
}

void RunRecorder::progress(const Pipeline& p) {
  if (!ctx_.out.progress_enabled()) return;
  auto now = std::chrono::steady_clock::now();
  if (now - last_progress_ < std::chrono::milliseconds(200)) return;
  last_progress_ = now;
  double s = std::chrono::duration<double>(now - t0_).count();
  char line[160];
  std::snprintf(line, sizeof line, "%llu messages, %.1f MB, %.0f msg/s, %.0f s",
                static_cast<unsigned long long>(p.processed()), p.bytes() / 1e6,
                s > 0 ? p.processed() / s : 0.0, s);
  ctx_.out.progress(line);
}

void RunRecorder::close(const Pipeline& p) {
  ctx_.out.progress_done();
  report_.finished = iso_now();
  report_.elapsed_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count();
  if (p.skipped_by_date() > 0)
    ctx_.out.detail(std::to_string(p.skipped_by_date()) + " messages outside --since/--until");
  if (!ctx_.dry_run) {
    nlohmann::json totals = report_.totals();
    std::ostringstream js;
    write_json(report_, js);
    if (auto s = store_.finish_run(run_id_, report_.finished, totals.dump(), js.str()); !s)
      ctx_.out.error(s.error().describe());
  }
}

void RunRecorder::abort(const Pipeline& p) { close(p); }

int RunRecorder::finish(const Pipeline& p, bool input_failed) {
  close(p);
  if (!ctx_.out.quiet()) {
    write_text_summary(report_, ctx_.out.out(), ctx_.out.verbosity() > 0);
  }
  auto totals = report_.totals();
  bool bad = totals["quarantined"] > 0 || totals["failed"] > 0;
  if (bad && ctx_.out.quiet()) {
    // -q prints nothing when all is well; problems are still shown.
    for (const auto& e : report_.messages)
      if (e.outcome == "quarantined" || e.outcome == "failed")
        ctx_.out.error(e.source + " " + e.position + ": " + e.outcome + ": " + e.error);
  }
  if (!ctx_.report_path.empty()) {
    if (auto s = write_report_file(report_, ctx_.report_path); !s) {
      ctx_.out.error(s.error().describe());
      return kExitPartial;
    }
    ctx_.out.detail("report written to " + ctx_.report_path);
  }
  return (bad || input_failed) ? kExitPartial : kExitOk;
}

}  // namespace crmr
