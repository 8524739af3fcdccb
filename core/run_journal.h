// RunJournal: where the import pipeline records what it decided: the ledger of
// processed keys (with the outbox and the quarantine it feeds) and the run's
// report entries, in batches. Implemented by storage's Store; the engine
// (core/engine) knows only this port.
//
// Failure: every write returns a Status; a failed one means the run must stop
// (Scope::Run). A batch not committed is undone by rollback().
#pragma once

#include <cstdint>
#include <string>

#include "core/result.h"

namespace crmr {

// What one processed message leaves in the journal.
struct ProcessedMessage {
  std::string key;
  std::string source;
  std::string position;
  std::string message_id;
  std::string outcome;        // queued, duplicate, tossed, quarantined, ...
  std::string reason;
  std::string decision_json;  // the report entry as JSON
  std::string raw;            // raw bytes: stored in the outbox when outcome is
                              // "queued", in quarantine when "quarantined"
  std::string error;          // quarantine error text
  std::int64_t run_seq = 0;   // the seq of its entry in the run's report (run_entries)
};

class RunJournal {
 public:
  virtual ~RunJournal() = default;

  // A batch: many writes in one commit. Nested begin() calls are counted;
  // only the outermost commits.
  virtual Status begin() = 0;
  virtual Status commit() = 0;
  virtual void rollback() noexcept = 0;

  // Ledger, outbox and quarantine for one message, atomically.
  virtual Status record_processed(std::int64_t run_id, const ProcessedMessage& m) = 0;
  // One report entry (JSON) of a run, in order; part of the open batch.
  virtual Status add_run_entry(std::int64_t run_id, std::int64_t seq,
                               const std::string& entry_json) = 0;
};

}  // namespace crmr
