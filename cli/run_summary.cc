#include "cli/run_summary.h"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>

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
  if (ctx.cfg.crm.configured()) header_.crm_url = crm_web_base(ctx.cfg.crm.url);
}

Status RunRecorder::begin() {
  t0_ = phase_t0_ = last_progress_ = std::chrono::steady_clock::now();
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
  header_.id = *id;
  return {};
}

EntrySink RunRecorder::sink() {
  return [this](ReportEntry&& e) {
    header_.tally(e);
    if (ctx_.out.verbosity() > 0) {
      ctx_.out.progress_done();
      if (!verbose_header_shown_) write_text_header(ctx_.out.out());
      verbose_header_shown_ = true;
      write_text_line(e, ctx_.out.out());
    }
    // A dry run keeps no history: its report file is written as it goes. A
    // real run's is written from the history at the end (after the push).
    if (ctx_.dry_run && writer_ && writer_status_) writer_status_ = writer_->add(e);
    if (e.outcome == "quarantined" || e.outcome == "failed") {
      spdlog::warn("{} {}: {}: {}", e.source, e.position, e.outcome, e.error);
      if (problems_.size() < kMaxProblemsShown) problems_.push_back(std::move(e));
      else ++problems_dropped_;
    }
  };
}

void RunRecorder::replace(const std::string& was, ReportEntry&& e) {
  if (header_.totals[was] > 0) --header_.totals[was];
  --header_.messages;
  sink()(std::move(e));
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

double RunRecorder::phase_elapsed() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - phase_t0_).count();
}

void RunRecorder::start_phase() { phase_t0_ = std::chrono::steady_clock::now(); }

void RunRecorder::progress(const Pipeline& p) {
  if (!progress_due()) return;
  const double s = phase_elapsed();
  const std::string rate = per_second(s > 0 ? double(p.processed()) / s : 0.0) + " msg/s";
  std::optional<double> fraction;
  std::string counts;
  if (expected_bytes_ > 0) {
    // Not 100 % before the end: the file holds more than the messages' bytes.
    fraction = std::min(0.99, double(p.bytes()) / double(expected_bytes_));
    counts = thousands(p.processed()) + " messages, " + rate + ", " + megabytes(p.bytes()) +
             " of " + megabytes(expected_bytes_);
  } else if (expected_messages_ > 0) {
    fraction = std::min(1.0, double(p.processed()) / double(expected_messages_));
    counts = thousands(p.processed()) + " of " + thousands(expected_messages_) + " messages, " + rate;
  } else {
    counts = thousands(p.processed()) + " messages, " + rate + ", " + megabytes(p.bytes());
  }
  ctx_.out.progress(progress_line(fraction, s, counts));
}

void RunRecorder::progress(std::uint64_t done, std::uint64_t total) {
  if (!progress_due()) return;
  const double s = phase_elapsed();
  std::optional<double> fraction;
  if (total > 0) fraction = double(done) / double(total);
  ctx_.out.progress(progress_line(fraction, s,
                                  "push: " + thousands(done) + " of " + thousands(total) +
                                      " messages, " + per_second(s > 0 ? done / s : 0.0) +
                                      " msg/s"));
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

void RunRecorder::end_input(const Pipeline& p) {
  ctx_.out.progress_done();
  skipped_by_date_ = p.skipped_by_date();
}

void RunRecorder::close() {
  ctx_.out.progress_done();
  header_.finished = iso_now();
  header_.elapsed_s = elapsed();
  for (const char* o : {"pushed", "queued", "duplicate", "tossed", "quarantined", "failed"})
    header_.totals[o] += 0;
  if (skipped_by_date_ > 0)
    ctx_.out.detail(thousands(skipped_by_date_) + " messages outside --since/--until");
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

void RunRecorder::abort() {
  close();
  writer_.reset();  // an unfinished report file is removed, the old one kept
}

int RunRecorder::finish(bool input_failed) {
  close();
  return summarize(input_failed);
}

// The entries as the history holds them now: the push's outcome in place of
// "queued" (constant memory: one entry at a time).
Status RunRecorder::write_report_from_history() {
  return store_.for_each_run_entry(run_id_, [&](const std::string& js) -> Status {
    auto e = entry_from_json(js);
    if (!e) return std::unexpected(e.error());
    return writer_->add(*e);
  });
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
    // Each was logged when it happened: not again here.
    auto show = [&](const std::string& line) {
      if (ctx_.out.quiet()) ctx_.out.remind(line);
      else os << line << '\n';
    };
    if (!ctx_.out.quiet()) os << "Needs attention:\n";
    for (const auto& e : problems_)
      show("  " + e.outcome + " " + e.source + " " + e.position + ": " + e.error);
    if (problems_dropped_ > 0)
      show("  ... and " + thousands(problems_dropped_) + " more (see the report)");
  }
  if (writer_) {
    if (writer_status_ && !ctx_.dry_run) writer_status_ = write_report_from_history();
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
