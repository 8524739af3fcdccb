// PushOutbox: the port through which the push run (core/engine/push_run.h)
// reads the outbox and records what became of each message: the outbox's
// pending items, their done/failed marks, the sender records push created,
// the run's report entries, and the transactions that group them. The store
// (storage/store.h) implements it.
//
// Failure: every method returns the store's Error (Scope::Run); the push run
// stops at the first one and rolls the open transaction back.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/crm_record.h"
#include "core/outbox_message.h"
#include "core/result.h"

namespace crmr {

class PushOutbox {
 public:
  virtual ~PushOutbox() = default;

  // Pending items with id > `after_id`, in id order, at most `limit`.
  virtual Result<std::vector<OutboxMessage>> outbox_pending_after(std::int64_t after_id,
                                                                  std::size_t limit) const = 0;
  virtual Result<std::int64_t> outbox_pending_count() const = 0;
  virtual Status outbox_done(std::int64_t id, const std::string& activity_id) = 0;
  // `permanent`: the CRM refused it for good (quarantined); else it stays pending.
  virtual Status outbox_failed(std::int64_t id, const std::string& error, bool permanent) = 0;
  // A sender record push created, so later messages from it resolve to it.
  virtual Status upsert_record(const CrmRecord& r) = 0;

  // The run's report: its highest entry seq (0: none), and one more entry
  // (JSON), part of the open transaction.
  virtual Result<std::int64_t> last_run_seq(std::int64_t run_id) const = 0;
  virtual Status add_run_entry(std::int64_t run_id, std::int64_t seq, const std::string& entry_json) = 0;

  virtual Status begin() = 0;
  virtual Status commit() = 0;
  virtual void rollback() noexcept = 0;
};

}  // namespace crmr
