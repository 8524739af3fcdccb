// RunRecorder: the bookkeeping around one batch (import, run, push): the run
// row in the store, the report file (streamed: memory does not grow with the
// run), the -v lines, progress, the summary on stdout, and the exit code.
// `run` also tells it what became of each mailbox (add_mailbox), so the
// report and the stored run list a mailbox that failed or was skipped.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "cli/context.h"
#include "cli/pipeline.h"
#include "core/report.h"

namespace crmr {

class RunRecorder {
 public:
  RunRecorder(Context& ctx, Store& store, std::string command);

  // Record the start of the run (nothing is written in a dry run) and open
  // the report file, if one was asked for.
  Status begin();
  std::int64_t run_id() const { return run_id_; }
  EntrySink sink();

  // Redraw the progress line (at most a few times a second).
  void progress(const Pipeline& p);
  // The run stops on a storage error: close what can be closed.
  void abort(const Pipeline& p);
  // Close the run: store it, print the summary, finish the report file.
  // Returns the exit code (partial when anything failed or was quarantined).
  int finish(const Pipeline& p, bool input_failed);

  // The same for a batch without a Pipeline (push): progress from counts.
  void progress(std::uint64_t done, std::uint64_t total);
  void abort();
  int finish(bool input_failed);

  // One mailbox of a `run`, in the order read: kept in the run header (the
  // report's "mailboxes", the stored run, the summary's mailbox lines).
  void add_mailbox(MailboxStatus m) { header_.mailboxes.push_back(std::move(m)); }

  // A warning about the whole run (e.g. an old cache): printed under the
  // summary line ("warning: ..."), unless -q. The caller logs it.
  void add_warning(std::string w) { warnings_.push_back(std::move(w)); }

  const RunHeader& header() const { return header_; }

  // The run failed as a whole (stopped, or could not read or deliver
  // anything): its status becomes "failed" with this error.
  void set_failure(const std::string& error) { failure_ = error; }

  // The input's size when known (plain files), for the bar and ETA of progress(Pipeline).
  void set_expected_bytes(std::uint64_t bytes) { expected_bytes_ = bytes; }

 private:
  void close(std::uint64_t skipped_by_date);
  bool progress_due();  // progress is on and the last redraw is old enough
  double elapsed() const;
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
  std::chrono::steady_clock::time_point t0_;
  std::chrono::steady_clock::time_point last_progress_;
};

}  // namespace crmr
