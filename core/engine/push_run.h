// The push run: deliver up to `total` messages of the outbox through a CRM
// sink, page by page, and record each message's outcome in the outbox and as
// a report entry of a run. What a message becomes (pushed / quarantined /
// queued) goes to the observer as it happens; the caller (cli) keeps the run
// record, prints, and chooses the exit code.
//
// Store writes are grouped into transactions of kPushCommitEvery messages. A
// crash loses at most the "done" marks of one group: those messages are
// found by their messageid on the next push and recorded then, never created
// twice.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "core/crm_sink.h"
#include "core/outbox_message.h"
#include "core/push_outbox.h"
#include "core/report/report.h"
#include "core/result.h"

namespace crmr {

inline constexpr std::size_t kOutboxPage = 500;       // outbox items read at a time
inline constexpr std::size_t kPushCommitEvery = 200;  // messages per store transaction

struct PushRunOptions {
  std::uint64_t total = 0;   // push at most this many
  std::int64_t run_id = 0;   // the run whose report entries the push writes
  // The push ends a batch (run, import): an item queued by an earlier run
  // says so in its entry.
  bool after_batch = false;
  std::size_t give_up_after = 16;  // transient failures in a row after which the CRM counts as unreachable
};

// Told what the push run does, on the thread that called run_push.
class PushObserver {
 public:
  virtual ~PushObserver() = default;
  // One message's outcome as its report entry. `replaces_queued`: the run's
  // own batch queued it, and this entry replaces that "queued" entry (same seq).
  virtual void entry(ReportEntry e, bool replaces_queued) = 0;
  virtual void progress(std::uint64_t finished, std::uint64_t total) = 0;
};

struct PushRunResult {
  std::uint64_t finished = 0;  // messages pushed, quarantined or left queued
  CrmRequestCounts sent;       // what this push sent to the CRM
  bool left_queued = false;    // some failed for now and stay queued
  // Why the push stopped early: the CRM cannot be used (Scope::Run, or
  // crm.unreachable), or the store failed (`storage`: the caller aborts the run).
  std::optional<Error> fatal;
  std::optional<Error> storage;
};

// Fails only when the run's report cannot be read before anything is sent.
Result<PushRunResult> run_push(PushOutbox& outbox, CrmSink& crm, const PushRunOptions& o, PushObserver& observer);

// The report entry of an outbox item: its decision, or a bare entry if that
// cannot be read (the push then quarantines it and says why).
ReportEntry outbox_entry(const OutboxMessage& m);

}  // namespace crmr
