// Store: paging through the pending outbox (push).
#include "storage/store_impl.h"

namespace crmr {
namespace {

constexpr char kOutboxPending[] =
    "SELECT id, key, raw, decision_json, attempts, run_id, run_seq FROM outbox WHERE state = 'pending'"
    " ORDER BY id LIMIT ?1";
constexpr char kOutboxPendingAfter[] =
    "SELECT id, key, raw, decision_json, attempts, run_id, run_seq FROM outbox WHERE state = 'pending'"
    " AND id > ?1 ORDER BY id LIMIT ?2";
constexpr char kOutboxPendingCount[] = "SELECT count(*) FROM outbox WHERE state = 'pending'";

// One row of the two SELECTs above.
OutboxMessage outbox_item(const db::Statement& s) {
  return OutboxMessage{s.column_int64(0), s.column_text(1), s.column_blob(2), s.column_text(3),
                    s.column_int(4),   s.column_int64(5), s.column_int64(6)};
}

}  // namespace

Result<std::vector<OutboxMessage>> Store::outbox_pending(std::size_t limit) const {
  auto q = impl_->conn.cached(kOutboxPending);
  if (!q) return fail(q.error());
  if (auto st = (*q)->bind(1, static_cast<std::int64_t>(limit)); !st) return fail(st.error());
  return db::collect_rows(**q, outbox_item);
}

Result<std::vector<OutboxMessage>> Store::outbox_pending_after(std::int64_t after_id,
                                                            std::size_t limit) const {
  auto q = impl_->conn.cached(kOutboxPendingAfter);
  if (!q) return fail(q.error());
  if (auto st = (*q)->bind(1, after_id); !st) return fail(st.error());
  if (auto st = (*q)->bind(2, static_cast<std::int64_t>(limit)); !st) return fail(st.error());
  return db::collect_rows(**q, outbox_item);
}

Result<std::int64_t> Store::outbox_pending_count() const {
  return impl_->conn.query_int(kOutboxPendingCount);
}

}  // namespace crmr
