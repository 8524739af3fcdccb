// Store: selecting ledger rows and forgetting them (`forget`), so that the
// same mail can be decided again. The SQL is built from the filter with
// every value bound as a parameter, never spliced into the text.
#include <variant>

#include "storage/store_impl.h"

namespace crmr {
namespace {

// A WHERE clause over the ledger and the values of its parameters (?1, ?2 ...).
struct LedgerWhere {
  std::string sql;
  std::vector<std::variant<std::int64_t, std::string>> values;

  // "column IN (?a, ?b ...)" for `list`.
  std::string in(const char* column, const std::vector<std::string>& list) {
    std::string s = std::string(column) + " IN (";
    for (std::size_t i = 0; i < list.size(); ++i) {
      values.emplace_back(list[i]);
      s += (i ? ", ?" : "?") + std::to_string(values.size());
    }
    return s + ")";
  }
  void add(const std::string& condition) { sql += (sql.empty() ? "" : " AND ") + condition; }

  Status bind(db::Statement& st) const {
    for (std::size_t i = 0; i < values.size(); ++i) {
      const int index = static_cast<int>(i + 1);
      Status s = std::holds_alternative<std::int64_t>(values[i])
                     ? st.bind(index, std::get<std::int64_t>(values[i]))
                     : st.bind(index, std::get<std::string>(values[i]));
      if (!s) return s;
    }
    return {};
  }
};

LedgerWhere where_of(const LedgerFilter& f) {
  LedgerWhere w;
  if (f.run_id) {
    w.values.emplace_back(*f.run_id);
    w.add("run_id = ?" + std::to_string(w.values.size()));
  }
  if (!f.outcomes.empty()) w.add(w.in("outcome", f.outcomes));
  if (!f.reasons.empty()) w.add(w.in("reason", f.reasons));
  if (!f.message_ids.empty() && !f.keys.empty()) {
    std::string ids = w.in("message_id", f.message_ids);
    w.add("(" + ids + " OR " + w.in("key", f.keys) + ")");
  } else if (!f.message_ids.empty()) {
    w.add(w.in("message_id", f.message_ids));
  } else if (!f.keys.empty()) {
    w.add(w.in("key", f.keys));
  }
  if (w.sql.empty()) w.sql = "1";
  return w;
}

// Prepares `sql` and binds the values of `w`.
Result<db::Statement> prepared(db::Connection& conn, const std::string& sql,
                               const LedgerWhere& w) {
  auto st = conn.prepare(sql);
  if (!st) return fail(st.error());
  if (auto b = w.bind(*st); !b) return fail(b.error());
  return std::move(*st);
}

}  // namespace

Status Store::for_each_ledger_row(const LedgerFilter& filter,
                                  const std::function<Status(const LedgerRow&)>& each) const {
  const LedgerWhere w = where_of(filter);
  auto q = prepared(impl_->conn,
                    "SELECT key, source, position, message_id, outcome, reason, run_id, at"
                    " FROM ledger WHERE " + w.sql + " ORDER BY key",
                    w);
  if (!q) return fail(q.error());
  return db::for_each_row(*q, [&](const db::Statement& s) {
    return each(LedgerRow{s.column_text(0), s.column_text(1), s.column_text(2), s.column_text(3),
                          s.column_text(4), s.column_text(5), s.column_int64(6),
                          s.column_text(7)});
  });
}

Result<std::int64_t> Store::ledger_forget(const LedgerFilter& filter) {
  if (auto st = impl_->writable("forget ledger rows"); !st) return fail(st.error());
  auto& conn = impl_->conn;
  auto tx = db::Transaction::begin(conn);
  if (!tx) return fail(tx.error());
  const LedgerWhere w = where_of(filter);
  // The outbox first: its rows are found through the ledger rows' keys.
  auto outbox = prepared(conn,
                         "DELETE FROM outbox WHERE state IN ('pending', 'done')"
                         " AND key IN (SELECT key FROM ledger WHERE " + w.sql + ")",
                         w);
  if (!outbox) return fail(outbox.error());
  if (auto st = outbox->run(); !st) return fail(st.error());
  auto ledger = prepared(conn, "DELETE FROM ledger WHERE " + w.sql, w);
  if (!ledger) return fail(ledger.error());
  if (auto st = ledger->run(); !st) return fail(st.error());
  const std::int64_t removed = conn.changes();
  if (auto st = tx->commit(); !st) return fail(st.error());
  return removed;
}

}  // namespace crmr
