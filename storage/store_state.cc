// Store: key/value state (mailbox cursors, watermarks) and the POP3 UIDLs
// already processed. Each write is one statement: atomic on its own, or part
// of the transaction the caller has open.
#include "storage/store_impl.h"

namespace crmr {
namespace {

#define CRMR_NOW "strftime('%Y-%m-%dT%H:%M:%SZ','now')"

constexpr char kStateGet[] = "SELECT value FROM state WHERE key = ?1";
constexpr char kStateSet[] =
    "INSERT INTO state (key, value, updated_at) VALUES (?1, ?2, " CRMR_NOW ")"
    " ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at";
constexpr char kStateDelete[] = "DELETE FROM state WHERE key = ?1";
constexpr char kPop3List[] = "SELECT uidl FROM pop3_seen WHERE mailbox = ?1 ORDER BY uidl";
constexpr char kPop3Add[] =
    "INSERT OR IGNORE INTO pop3_seen (mailbox, uidl, at) VALUES (?1, ?2, " CRMR_NOW ")";
constexpr char kPop3Forget[] = "DELETE FROM pop3_seen WHERE mailbox = ?1 AND uidl = ?2";

#undef CRMR_NOW

}  // namespace

Result<std::optional<std::string>> Store::state_get(const std::string& key) const {
  auto q = impl_->conn.cached(kStateGet);
  if (!q) return fail(q.error());
  if (auto st = (*q)->bind(1, key); !st) return fail(st.error());
  auto row = (*q)->step();
  if (!row) return fail(row.error());
  if (!*row) return std::optional<std::string>();
  std::string value = (*q)->column_text(0);
  (*q)->reset();
  return std::optional<std::string>(std::move(value));
}

Status Store::state_set(const std::string& key, const std::string& value) {
  if (auto st = impl_->writable("record state"); !st) return st;
  auto q = impl_->conn.cached(kStateSet);
  if (!q) return fail(q.error());
  Status st = (*q)->bind(1, key);
  if (st) st = (*q)->bind(2, value);
  if (st) st = (*q)->run();
  return st;
}

Status Store::state_delete(const std::string& key) {
  if (auto st = impl_->writable("record state"); !st) return st;
  auto q = impl_->conn.cached(kStateDelete);
  if (!q) return fail(q.error());
  Status st = (*q)->bind(1, key);
  if (st) st = (*q)->run();
  return st;
}

Result<std::vector<std::string>> Store::pop3_seen(const std::string& mailbox) const {
  auto q = impl_->conn.prepare(kPop3List);
  if (!q) return fail(q.error());
  if (auto st = q->bind(1, mailbox); !st) return fail(st.error());
  return db::collect_rows(*q, [](const db::Statement& row) { return row.column_text(0); });
}

namespace {

// Runs `sql` (?1 mailbox, ?2 uidl) for every uidl, in one transaction.
Status each_uidl(db::Connection& conn, const char* sql, const std::string& mailbox,
                 const std::vector<std::string>& uidls) {
  if (uidls.empty()) return {};
  auto tx = db::Transaction::begin(conn);
  if (!tx) return fail(tx.error());
  auto q = conn.cached(sql);
  if (!q) return fail(q.error());
  for (const auto& u : uidls) {
    (*q)->reset();
    Status st = (*q)->bind(1, mailbox);
    if (st) st = (*q)->bind(2, u);
    if (st) st = (*q)->run();
    if (!st) return st;
  }
  return tx->commit();
}

}  // namespace

Status Store::pop3_mark_seen(const std::string& mailbox, const std::vector<std::string>& uidls) {
  if (auto st = impl_->writable("record POP3 UIDLs"); !st) return st;
  return each_uidl(impl_->conn, kPop3Add, mailbox, uidls);
}

Status Store::pop3_forget(const std::string& mailbox, const std::vector<std::string>& uidls) {
  if (auto st = impl_->writable("forget POP3 UIDLs"); !st) return st;
  return each_uidl(impl_->conn, kPop3Forget, mailbox, uidls);
}

}  // namespace crmr
