// RunRecorder: the bookkeeping around one batch (import, later run and push):
// the run row in the store, the report entries, progress, the summary on
// stdout, the report file, and the exit code.
#pragma once

#include <chrono>
#include <string>

#include "cli/context.h"
#include "cli/pipeline.h"
#include "core/report.h"

namespace crmr {

class RunRecorder {
 public:
  RunRecorder(Context& ctx, Store& store, std::string command);

  // Record the start of the run (nothing is written in a dry run).
  Status begin();
  std::int64_t run_id() const { return run_id_; }
  EntrySink sink();

  // Redraw the progress line (at most a few times a second).
  void progress(const Pipeline& p);
  // The run stops on a storage error: record what is known, print it.
  void abort(const Pipeline& p);
  // Close the run: store it, print the summary, write the report file.
  // Returns the exit code (partial when anything failed or was quarantined).
  int finish(const Pipeline& p, bool input_failed);

 private:
  void close(const Pipeline& p);

  Context& ctx_;
  Store& store_;
  RunReport report_;
  std::int64_t run_id_ = 0;
  std::chrono::steady_clock::time_point t0_;
  std::chrono::steady_clock::time_point last_progress_;
};

}  // namespace crmr
