// Store: the ledger of processed message keys, the outbox, run history and
// quarantine. The ledger is the source of truth for "already processed": the
// first record_processed() of a key wins and later ones change nothing.
#include "storage/store_impl.h"

namespace crmr {
namespace {

#define CRMR_NOW "strftime('%Y-%m-%dT%H:%M:%SZ','now')"

constexpr char kLedgerHas[] = "SELECT 1 FROM ledger WHERE key = ?1";
constexpr char kLedgerInsert[] =
    "INSERT OR IGNORE INTO ledger (key, source, position, message_id, outcome, reason,"
    " run_id, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, " CRMR_NOW ")";
constexpr char kOutboxInsert[] =
    "INSERT OR IGNORE INTO outbox (key, raw, decision_json, run_id, run_seq, created_at,"
    " updated_at) VALUES (?1, ?2, ?3, ?4, ?5, " CRMR_NOW ", " CRMR_NOW ")";
constexpr char kQuarantineInsert[] =
    "INSERT INTO quarantine (key, source, position, raw, error, run_id, at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, " CRMR_NOW ")";

// Delivered: the CRM has the content, so the raw bytes are dropped.
constexpr char kOutboxDone[] =
    "UPDATE outbox SET state = 'done', activity_id = ?2, raw = x'', last_error = '',"
    " attempts = attempts + 1, updated_at = " CRMR_NOW
    " WHERE id = ?1 AND state = 'pending'";
constexpr char kLedgerPushed[] =
    "UPDATE ledger SET outcome = 'pushed' WHERE outcome = 'queued'"
    " AND key = (SELECT key FROM outbox WHERE id = ?1)";
constexpr char kOutboxRetry[] =
    "UPDATE outbox SET attempts = attempts + 1, last_error = ?2, updated_at = " CRMR_NOW
    " WHERE id = ?1 AND state = 'pending'";
// A permanent failure moves the message to quarantine (with where it came
// from, per the ledger) and marks it failed in the outbox and the ledger.
constexpr char kQuarantineFromOutbox[] =
    "INSERT INTO quarantine (key, source, position, raw, error, run_id, at)"
    " SELECT o.key, coalesce(l.source, ''), coalesce(l.position, ''), o.raw, ?2, o.run_id, "
    CRMR_NOW " FROM outbox o LEFT JOIN ledger l ON l.key = o.key WHERE o.id = ?1";
constexpr char kOutboxFailed[] =
    "UPDATE outbox SET state = 'failed', raw = x'', attempts = attempts + 1,"
    " last_error = ?2, updated_at = " CRMR_NOW " WHERE id = ?1 AND state = 'pending'";
constexpr char kLedgerFailed[] =
    "UPDATE ledger SET outcome = 'failed', reason = ?2"
    " WHERE key = (SELECT key FROM outbox WHERE id = ?1)";

constexpr char kRunInsert[] = "INSERT INTO runs (command, started) VALUES (?1, ?2)";
constexpr char kRunFinish[] =
    "UPDATE runs SET finished = ?2, totals_json = ?3, report_json = ?4 WHERE id = ?1";
constexpr char kRunList[] =
    "SELECT id, command, started, finished, totals_json, status, error, report_json FROM runs"
    " ORDER BY id DESC LIMIT ?1";
constexpr char kRunStatus[] = "UPDATE runs SET status = ?2, error = ?3 WHERE id = ?1";
constexpr char kRunReport[] = "SELECT report_json FROM runs WHERE id = ?1";
constexpr char kRunReportLatest[] =
    "SELECT report_json FROM runs WHERE report_json <> '' ORDER BY id DESC LIMIT 1";

// With what the ledger says of its key and, for a message the CRM refused,
// the decision kept in its failed outbox row.
constexpr char kQuarantineList[] =
    "SELECT q.id, q.key, q.source, q.position, q.error, q.at, coalesce(l.message_id, ''),"
    " coalesce(l.outcome, ''), coalesce(o.decision_json, ''), length(q.raw)"
    " FROM quarantine q LEFT JOIN ledger l ON l.key = q.key"
    " LEFT JOIN outbox o ON o.key = q.key AND o.state = 'failed' ORDER BY q.id";
constexpr char kQuarantineRaw[] = "SELECT raw FROM quarantine WHERE id = ?1";
// Removing an item also forgets that its key was processed, so the message
// can be processed again (quarantine retry, or the next run of its source).
constexpr char kQuarantineForgetLedger[] =
    "DELETE FROM ledger WHERE outcome IN ('quarantined', 'failed')"
    " AND key = (SELECT key FROM quarantine WHERE id = ?1)";
constexpr char kQuarantineForgetOutbox[] =
    "DELETE FROM outbox WHERE state = 'failed'"
    " AND key = (SELECT key FROM quarantine WHERE id = ?1)";
constexpr char kQuarantineDelete[] = "DELETE FROM quarantine WHERE id = ?1";

#undef CRMR_NOW

Error not_found(const std::string& path, const std::string& what) {
  return Error{Code::StoreNotFound, path + ": " + what, "", Scope::Run, Retry::Never};
}

// Runs cached statement `sql` with `binds` applied; returns rows changed.
template <class Bind>
Result<int> change(db::Connection& conn, const char* sql, Bind&& binds) {
  auto q = conn.cached(sql);
  if (!q) return fail(q.error());
  if (auto st = binds(**q); !st) return fail(st.error());
  if (auto st = (*q)->run(); !st) return fail(st.error());
  return conn.changes();
}

}  // namespace

bool Store::ledger_has(std::string_view key) const {
  auto q = impl_->conn.cached(kLedgerHas);
  if (!q) {
    impl_->lookup_failed(q.error());
    return false;
  }
  if (auto st = (*q)->bind(1, key); !st) {
    impl_->lookup_failed(st.error());
    return false;
  }
  auto row = (*q)->step();
  if (!row) {
    impl_->lookup_failed(row.error());
    return false;  // not an answer: status() says so
  }
  return *row;
}

Status Store::record_processed(std::int64_t run_id, const ProcessedMessage& m) {
  if (auto st = impl_->writable("record a processed message"); !st) return st;
  if (m.key.empty()) {
    return fail(Code::StoreInvalidRecord, impl_->path + ": processed message has no key");
  }
  auto& conn = impl_->conn;
  auto tx = db::Transaction::begin(conn);
  if (!tx) return fail(tx.error());
  auto added = change(conn, kLedgerInsert, [&](db::Statement& s) {
    Status st = s.bind(1, m.key);
    if (st) st = s.bind(2, m.source);
    if (st) st = s.bind(3, m.position);
    if (st) st = s.bind(4, m.message_id);
    if (st) st = s.bind(5, m.outcome);
    if (st) st = s.bind(6, m.reason);
    if (st) st = s.bind(7, run_id);
    return st;
  });
  if (!added) return fail(added.error());
  if (*added == 0) return tx->commit();  // already processed: the first record stands
  if (m.outcome == "queued") {
    auto r = change(conn, kOutboxInsert, [&](db::Statement& s) {
      Status st = s.bind(1, m.key);
      if (st) st = s.bind_blob(2, m.raw);
      if (st) st = s.bind(3, m.decision_json);
      if (st) st = s.bind(4, run_id);
      if (st) st = s.bind(5, m.run_seq);
      return st;
    });
    if (!r) return fail(r.error());
  } else if (m.outcome == "quarantined") {
    auto r = change(conn, kQuarantineInsert, [&](db::Statement& s) {
      Status st = s.bind(1, m.key);
      if (st) st = s.bind(2, m.source);
      if (st) st = s.bind(3, m.position);
      if (st) st = s.bind_blob(4, m.raw);
      if (st) st = s.bind(5, m.error);
      if (st) st = s.bind(6, run_id);
      return st;
    });
    if (!r) return fail(r.error());
  }
  return tx->commit();
}

Status Store::outbox_done(std::int64_t id, const std::string& activity_id) {
  if (auto st = impl_->writable("mark an outbox item delivered"); !st) return st;
  auto& conn = impl_->conn;
  auto tx = db::Transaction::begin(conn);
  if (!tx) return fail(tx.error());
  auto by_id = [&](db::Statement& s) { return s.bind(1, id); };
  auto pushed = change(conn, kLedgerPushed, by_id);
  if (!pushed) return fail(pushed.error());
  auto done = change(conn, kOutboxDone, [&](db::Statement& s) {
    Status st = s.bind(1, id);
    if (st) st = s.bind(2, activity_id);
    return st;
  });
  if (!done) return fail(done.error());
  if (*done == 0) return fail(not_found(impl_->path, "no pending outbox item " + std::to_string(id)));
  return tx->commit();
}

Status Store::outbox_failed(std::int64_t id, const std::string& error, bool permanent) {
  if (auto st = impl_->writable("record an outbox failure"); !st) return st;
  auto& conn = impl_->conn;
  auto tx = db::Transaction::begin(conn);
  if (!tx) return fail(tx.error());
  auto with_error = [&](db::Statement& s) {
    Status st = s.bind(1, id);
    if (st) st = s.bind(2, error);
    return st;
  };
  if (permanent) {
    for (const char* sql : {kQuarantineFromOutbox, kLedgerFailed}) {
      auto r = change(conn, sql, with_error);
      if (!r) return fail(r.error());
    }
  }
  auto updated = change(conn, permanent ? kOutboxFailed : kOutboxRetry, with_error);
  if (!updated) return fail(updated.error());
  if (*updated == 0) return fail(not_found(impl_->path, "no pending outbox item " + std::to_string(id)));
  return tx->commit();
}

Result<std::int64_t> Store::begin_run(const std::string& command, const std::string& started) {
  if (auto st = impl_->writable("record a run"); !st) return fail(st.error());
  auto r = change(impl_->conn, kRunInsert, [&](db::Statement& s) {
    Status st = s.bind(1, command);
    if (st) st = s.bind(2, started);
    return st;
  });
  if (!r) return fail(r.error());
  return impl_->conn.last_insert_rowid();
}

Status Store::finish_run(std::int64_t run_id, const std::string& finished,
                         const std::string& totals_json, const std::string& report_json) {
  if (auto st = impl_->writable("record a run"); !st) return st;
  auto r = change(impl_->conn, kRunFinish, [&](db::Statement& s) {
    Status st = s.bind(1, run_id);
    if (st) st = s.bind(2, finished);
    if (st) st = s.bind(3, totals_json);
    if (st) st = s.bind(4, report_json);
    return st;
  });
  if (!r) return fail(r.error());
  if (*r == 0) return fail(not_found(impl_->path, "no run " + std::to_string(run_id)));
  return {};
}

Result<std::vector<RunRecord>> Store::list_runs(std::size_t limit) const {
  auto q = impl_->conn.cached(kRunList);
  if (!q) return fail(q.error());
  if (auto st = (*q)->bind(1, static_cast<std::int64_t>(limit)); !st) return fail(st.error());
  return db::collect_rows(**q, [](const db::Statement& s) {
    return RunRecord{s.column_int64(0), s.column_text(1), s.column_text(2), s.column_text(3),
                     s.column_text(4), s.column_text(5), s.column_text(6), s.column_text(7)};
  });
}

Status Store::set_run_status(std::int64_t run_id, const std::string& status,
                             const std::string& error) {
  if (auto st = impl_->writable("record a run"); !st) return st;
  auto q = impl_->conn.cached(kRunStatus);
  if (!q) return fail(q.error());
  Status st = (*q)->bind(1, run_id);
  if (st) st = (*q)->bind(2, status);
  if (st) st = (*q)->bind(3, error);
  if (st) st = (*q)->run();
  return st;
}

Result<std::string> Store::run_report_json(std::int64_t run_id) const {
  auto q = impl_->conn.cached(run_id == 0 ? kRunReportLatest : kRunReport);
  if (!q) return fail(q.error());
  if (run_id != 0) {
    if (auto st = (*q)->bind(1, run_id); !st) return fail(st.error());
  }
  auto row = (*q)->step();
  if (!row) return fail(row.error());
  if (!*row) {
    return fail(not_found(impl_->path, run_id == 0 ? std::string("no finished run")
                                                   : "no run " + std::to_string(run_id)));
  }
  std::string report = (*q)->column_text(0);
  if (report.empty()) {
    return fail(not_found(impl_->path,
                          "run " + std::to_string(run_id) + " has no report (it did not finish)"));
  }
  return report;
}

Result<std::vector<QuarantineItem>> Store::quarantine_list() const {
  auto q = impl_->conn.cached(kQuarantineList);
  if (!q) return fail(q.error());
  return db::collect_rows(**q, [](const db::Statement& s) {
    return QuarantineItem{s.column_int64(0), s.column_text(1), s.column_text(2),
                          s.column_text(3), s.column_text(4), s.column_text(5),
                          s.column_text(6), s.column_text(7), s.column_text(8),
                          s.column_int64(9)};
  });
}

Result<std::string> Store::quarantine_raw(std::int64_t id) const {
  auto q = impl_->conn.cached(kQuarantineRaw);
  if (!q) return fail(q.error());
  if (auto st = (*q)->bind(1, id); !st) return fail(st.error());
  auto row = (*q)->step();
  if (!row) return fail(row.error());
  if (!*row) return fail(not_found(impl_->path, "no quarantine item " + std::to_string(id)));
  return (*q)->column_blob(0);
}

Status Store::quarantine_remove(std::int64_t id) {
  if (auto st = impl_->writable("remove a quarantine item"); !st) return st;
  auto& conn = impl_->conn;
  auto tx = db::Transaction::begin(conn);
  if (!tx) return fail(tx.error());
  auto by_id = [&](db::Statement& s) { return s.bind(1, id); };
  for (const char* sql : {kQuarantineForgetLedger, kQuarantineForgetOutbox}) {
    auto r = change(conn, sql, by_id);
    if (!r) return fail(r.error());
  }
  auto removed = change(conn, kQuarantineDelete, by_id);
  if (!removed) return fail(removed.error());
  if (*removed == 0) return fail(not_found(impl_->path, "no quarantine item " + std::to_string(id)));
  return tx->commit();
}

}  // namespace crmr
