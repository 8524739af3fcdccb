// RunRecorder: the bookkeeping around one invocation (import, run, push,
// quarantine retry): the run row in the store, the report file, the -v lines,
// progress, the one summary on stdout, and the exit code. A batch that pushes
// at its end records the push in the same run: the push replaces the entry of
// each message the batch queued (replace()), so the run's report, its
// history and its summary say pushed / quarantined / still queued. The report
// file of a real run is written from the history when the run closes (one
// entry at a time: memory does not grow with the run); a dry run's as it goes.
// `run` also tells it what became of each mailbox (add_mailbox), so the
// report and the stored run list a mailbox that failed or was skipped.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "cli/context.h"
#include "core/engine/pipeline.h"
#include "core/report/report.h"

namespace crmr {

class RunRecorder {
 public:
  RunRecorder(Context& ctx, Store& store, std::string command);

  // Record the start of the run (nothing is written in a dry run) and open
  // the report file, if one was asked for.
  Status begin();
  std::int64_t run_id() const { return run_id_; }
  EntrySink sink();

  // The push at the end of this batch delivered (or quarantined, or left
  // queued) a message this run queued: `e`, already stored by the caller as
  // that message's entry, replaces the entry whose outcome was `was`.
  void replace(const std::string& was, ReportEntry&& e);

  // Redraw the progress line (at most a few times a second).
  void progress(const Pipeline& p);
  // The same for a batch without a Pipeline (push): progress from counts.
  void progress(std::uint64_t done, std::uint64_t total);
  // A new phase (the push after a batch): its bar and ETA count from now.
  void start_phase();
  // The batch has read its input: ends the progress line, notes what the
  // date filter skipped. The run stays open for the push that may follow.
  void end_input(const Pipeline& p);

  // The run stops on a storage error: close what can be closed.
  void abort();
  // Close the run: store it, print the one summary, write the report file
  // (a real run's from its history, so it holds what the push made of each
  // message). Returns the exit code (partial when anything failed or was
  // quarantined, or `input_failed`).
  int finish(bool input_failed);

  // One mailbox of a `run`, in the order read: kept in the run header (the
  // report's "mailboxes", the stored run, the summary's mailbox lines).
  void add_mailbox(MailboxStatus m) { header_.mailboxes.push_back(std::move(m)); }

  // A warning about the whole run (e.g. an old cache): printed under the
  // summary line ("warning: ..."), unless -q. The caller logs it.
  void add_warning(std::string w) { warnings_.push_back(std::move(w)); }

  const RunHeader& header() const { return header_; }

  // What a push of this run sent to the CRM (added up over its pushes):
  // printed under the summary line and kept in the run's JSON.
  void add_crm_usage(const CrmUsage& u) { header_.crm += u; }

  // The run failed as a whole (stopped, or could not read or deliver
  // anything): its status becomes "failed" with this error.
  void set_failure(const std::string& error) { failure_ = error; }

  // The input's size when known (plain files), for the bar and ETA of progress(Pipeline).
  void set_expected_bytes(std::uint64_t bytes) { expected_bytes_ = bytes; }
  // Messages listed on a server that this run will fetch (mailboxes): the
  // bar's total when the input's size is unknown.
  void add_expected_messages(std::uint64_t n) { expected_messages_ += n; }

 private:
  void close();
  bool progress_due();  // progress is on and the last redraw is old enough
  double elapsed() const;
  double phase_elapsed() const;
  Status write_report_from_history();
  int summarize(bool input_failed);  // the summary, report file and exit code
  // ok / partial / failed and why, from the failure, the mailboxes and the totals.
  std::pair<std::string, std::string> outcome() const;

  Context& ctx_;
  Store& store_;
  RunHeader header_;
  std::unique_ptr<ReportWriter> writer_;
  Status writer_status_;
  // Quarantined/failed entries for the "needs attention" list (bounded).
  std::vector<ReportEntry> problems_;
  std::uint64_t problems_dropped_ = 0;
  std::vector<std::string> warnings_;
  std::int64_t run_id_ = 0;
  std::string failure_;  // set_failure()
  std::uint64_t expected_bytes_ = 0;
  std::uint64_t expected_messages_ = 0;
  std::uint64_t skipped_by_date_ = 0;
  bool verbose_header_shown_ = false;  // -v: the column header before the first line
  std::chrono::steady_clock::time_point t0_;
  std::chrono::steady_clock::time_point phase_t0_;
  std::chrono::steady_clock::time_point last_progress_;
};

}  // namespace crmr
