#include "cli/run_summary.h"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>

#include "cli/exit_codes.h"
#include "cli/progress.h"

namespace crmr {
namespace {
constexpr std::size_t kMaxProblemsShown = 200;
constexpr std::size_t kRunsWithEntriesKept = 30;
}  // namespace

RunRecorder::RunRecorder(Context& ctx, Store& store, std::string command)
    : ctx_(ctx), store_(store) {
  header_.command = std::move(command);
  header_.dry_run = ctx.dry_run;
}

Status RunRecorder::begin() {
  t0_ = last_progress_ = std::chrono::steady_clock::now();
  header_.started = iso_now();
  if (!ctx_.report_path.empty()) {
    auto w = open_report_writer(ctx_.report_path);
    if (!w) return std::unexpected(w.error());
    writer_ = std::move(*w);
  }
  if (ctx_.dry_run) return {};
  auto id = store_.begin_run(header_.command, header_.started);
  if (!id) return std::unexpected(id.error());
  run_id_ = *id;
  return {};
}

EntrySink RunRecorder::sink() {
  return [this](ReportEntry&& e) {
    header_.tally(e);
    if (ctx_.out.verbosity() > 0) {
      ctx_.out.progress_done();
      write_text_line(e, ctx_.out.out());
    }
    if (writer_ && writer_status_) writer_status_ = writer_->add(e);
    if (e.outcome == "quarantined" || e.outcome == "failed") {
      spdlog::warn("{} {}: {}: {}", e.source, e.position, e.outcome, e.error);
      if (problems_.size() < kMaxProblemsShown) problems_.push_back(std::move(e));
      else ++problems_dropped_;
    }
  };
}

bool RunRecorder::progress_due() {
  if (!ctx_.out.progress_enabled()) return false;
  auto now = std::chrono::steady_clock::now();
  if (now - last_progress_ < std::chrono::milliseconds(200)) return false;
  last_progress_ = now;
  return true;
}

double RunRecorder::elapsed() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count();
}

void RunRecorder::progress(const Pipeline& p) {
  if (!progress_due()) return;
  double s = elapsed();
  std::optional<double> fraction;
  if (expected_bytes_ > 0) fraction = std::min(0.99, double(p.bytes()) / double(expected_bytes_));
  char rate[64];
  std::snprintf(rate, sizeof rate, ", %.0f msg/s, %.1f MB", s > 0 ? p.processed() / s : 0.0,
                p.bytes() / 1e6);
  ctx_.out.progress(progress_line(fraction, s, thousands(p.processed()) + " messages" + rate));
}

void RunRecorder::progress(std::uint64_t done, std::uint64_t total) {
  if (!progress_due()) return;
  double s = elapsed();
  std::optional<double> fraction;
  if (total > 0) fraction = double(done) / double(total);
  char rate[48];
  std::snprintf(rate, sizeof rate, ", %.0f msg/s", s > 0 ? done / s : 0.0);
  ctx_.out.progress(
      progress_line(fraction, s, thousands(done) + " of " + thousands(total) + " messages" + rate));
}

std::pair<std::string, std::string> RunRecorder::outcome() const {
  if (!failure_.empty()) return {"failed", failure_};
  std::string errors;
  std::size_t failed = 0;
  for (const auto& m : header_.mailboxes) {
    if (m.status != "failed") continue;
    ++failed;
    errors += (errors.empty() ? "" : "; ") + ("mailbox " + m.name + ": " + m.error);
  }
  if (failed > 0 && failed == header_.mailboxes.size()) return {"failed", errors};
  auto count = [&](const char* o) {
    auto it = header_.totals.find(o);
    return it == header_.totals.end() ? std::uint64_t{0} : it->second;
  };
  const std::uint64_t bad = count("quarantined") + count("failed");
  if (bad > 0) {
    std::string why = std::to_string(bad) + " message" + (bad == 1 ? "" : "s") + " quarantined or failed";
    errors = errors.empty() ? why : errors + "; " + why;
  }
  return {errors.empty() ? "ok" : "partial", errors};
}

void RunRecorder::close(std::uint64_t skipped_by_date) {
  ctx_.out.progress_done();
  header_.finished = iso_now();
  header_.elapsed_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count();
  for (const char* o : {"pushed", "queued", "duplicate", "tossed", "quarantined", "failed"})
    header_.totals[o] += 0;
  if (skipped_by_date > 0)
    ctx_.out.detail(std::to_string(skipped_by_date) + " messages outside --since/--until");
  if (!ctx_.dry_run) {
    nlohmann::json totals = header_.totals;
    if (auto s = store_.finish_run(run_id_, header_.finished, totals.dump(), run_to_json(header_));
        !s)
      ctx_.out.error(s.error().describe());
    auto [status, error] = outcome();
    if (auto s = store_.set_run_status(run_id_, status, error); !s)
      ctx_.out.error(s.error().describe());
    if (auto s = store_.prune_run_entries(kRunsWithEntriesKept); !s)
      ctx_.out.error(s.error().describe());
  }
}

void RunRecorder::abort(const Pipeline& p) {
  close(p.skipped_by_date());
  writer_.reset();  // an unfinished report file is removed, the old one kept
}

void RunRecorder::abort() {
  close(0);
  writer_.reset();  // an unfinished report file is removed, the old one kept
}

int RunRecorder::finish(const Pipeline& p, bool input_failed) {
  close(p.skipped_by_date());
  return summarize(input_failed);
}

int RunRecorder::finish(bool input_failed) {
  close(0);
  return summarize(input_failed);
}

int RunRecorder::summarize(bool input_failed) {
  std::ostream& os = ctx_.out.out();
  if (!ctx_.out.quiet()) {
    write_summary_line(header_, os);
    for (const auto& w : warnings_) os << "warning: " << w << '\n';
    // A failed mailbox's error was already shown on stderr as it happened:
    // here it is only referred to, so that it is printed once.
    write_mailbox_lines(header_, os, false);
  }
  bool bad = header_.totals["quarantined"] > 0 || header_.totals["failed"] > 0;
  if (bad) {
    // Shown even with -q (on stderr then): the administrator must see them.
    auto show = [&](const std::string& line) {
      if (ctx_.out.quiet()) ctx_.out.error(line);
      else os << line << '\n';
    };
    if (!ctx_.out.quiet()) os << "Needs attention:\n";
    for (const auto& e : problems_)
      show("  " + e.outcome + " " + e.source + " " + e.position + ": " + e.error);
    if (problems_dropped_ > 0)
      show("  ... and " + std::to_string(problems_dropped_) + " more (see the report)");
  }
  if (writer_) {
    if (writer_status_) writer_status_ = writer_->finish(header_);
    if (!writer_status_) {
      ctx_.out.error(writer_status_.error().describe());
      return kExitPartial;
    }
    ctx_.out.detail("report written to " + ctx_.report_path);
  }
  return (bad || input_failed) ? kExitPartial : kExitOk;
}

}  // namespace crmr
