// Thin RAII layer over the SQLite C API: a connection, prepared statements and
// (nested) transactions, all move-only. This is the one place where SQLite
// result codes become crmr::Error (Scope::Run; Retry::Later for SQLITE_BUSY /
// SQLITE_LOCKED, Retry::Never otherwise); every message names the database.
//
// A Connection, and the statements it caches, are used by one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/result.h"

struct sqlite3;
struct sqlite3_stmt;

namespace crmr::db {

// The Error for SQLite result code `rc` (extended codes allowed) on `db` (may be
// null), while doing `doing` on the database called `label` (its path).
Error sqlite_error(sqlite3* db, int rc, std::string_view label, std::string_view doing);

// One prepared statement. Text and blobs are copied when bound, so temporaries
// may be passed. Column getters read the row the last step() produced.
class Statement {
 public:
  Statement() = default;
  Statement(sqlite3_stmt* stmt, std::shared_ptr<const std::string> label);
  ~Statement();
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Parameters are 1-based, as in SQL (?1, ?2 ...); names include their
  // prefix (":key"). Binding fails on a bad index or name.
  Status bind(int index, std::string_view text);
  Status bind(int index, const char* text) { return bind(index, std::string_view(text)); }
  Status bind(int index, std::int64_t value);
  Status bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
  Status bind(int index, bool value) { return bind(index, static_cast<std::int64_t>(value)); }
  Status bind_blob(int index, std::string_view bytes);
  Status bind_null(int index);
  // As bind(index, text), without SQLite's own copy of the text: for hot
  // writes of many rows. The text must stay as it is until the statement has
  // run (a lease's reset clears the binding): bind a named object, never a
  // temporary.
  Status bind_static(int index, std::string_view text);
  template <class T>
  Status bind(const char* name, T&& value) {
    auto index = parameter_index(name);
    if (!index) return fail(index.error());
    return bind(*index, std::forward<T>(value));
  }
  Status bind_blob(const char* name, std::string_view bytes);

  // Advances: true when a row is ready, false when done.
  Result<bool> step();
  // Steps to the end, ignoring any rows (INSERT, UPDATE, DDL ...).
  Status run();
  // Back to the start with all parameters cleared; ends any read it held.
  void reset() noexcept;

  std::string column_text(int column) const;  // 0-based; NULL reads as ""
  std::string column_blob(int column) const;  // NULL reads as ""
  std::int64_t column_int64(int column) const;
  int column_int(int column) const { return static_cast<int>(column_int64(column)); }
  bool column_bool(int column) const { return column_int64(column) != 0; }
  bool column_is_null(int column) const;

  sqlite3_stmt* raw() const { return stmt_; }

 private:
  Result<int> parameter_index(const char* name) const;
  Error error(int rc, std::string_view doing) const;

  sqlite3_stmt* stmt_ = nullptr;
  std::shared_ptr<const std::string> label_;
};

// Steps `stmt` to its end, calling `each(stmt)` on every row (the column
// getters read that row). Stops at the first error, SQLite's or one `each`
// returns. The statement is left where it stopped; a StatementLease resets it.
template <class Each>
Status for_each_row(Statement& stmt, Each&& each) {
  for (;;) {
    auto row = stmt.step();
    if (!row) return fail(row.error());
    if (!*row) return {};
    if (Status st = each(static_cast<const Statement&>(stmt)); !st) return st;
  }
}

// Every row of `stmt` made into one value by `make(stmt)`, in order.
template <class Make>
auto collect_rows(Statement& stmt, Make&& make)
    -> Result<std::vector<std::invoke_result_t<Make&, const Statement&>>> {
  std::vector<std::invoke_result_t<Make&, const Statement&>> out;
  Status st = for_each_row(stmt, [&](const Statement& row) -> Status {
    out.push_back(make(row));
    return {};
  });
  if (!st) return fail(st.error());
  return out;
}

// A cached statement checked out for one use: reset (bindings cleared, read
// ended) when the lease goes out of scope, so a lookup never keeps a stale
// snapshot open.
class StatementLease {
 public:
  explicit StatementLease(Statement& stmt) : stmt_(&stmt) {}
  ~StatementLease() {
    if (stmt_) stmt_->reset();
  }
  StatementLease(StatementLease&& other) noexcept : stmt_(std::exchange(other.stmt_, nullptr)) {}
  StatementLease& operator=(StatementLease&&) = delete;
  StatementLease(const StatementLease&) = delete;
  StatementLease& operator=(const StatementLease&) = delete;

  Statement* operator->() const { return stmt_; }
  Statement& operator*() const { return *stmt_; }

 private:
  Statement* stmt_;
};

// How to open a database file. ReadOnlyImmutable tells SQLite the file cannot
// change while open (no locks, no -shm/-wal files): for reading a database in
// a directory we may not write, when no writer has it open.
enum class Access { ReadWriteCreate, ReadOnly, ReadOnlyImmutable };

// One connection. Owns the sqlite3 handle and a cache of prepared statements
// keyed by the address of their SQL text (pass string constants, not
// temporaries). Transactions nest by counting: the outermost begin() is a
// BEGIN, inner ones are SAVEPOINTs, so an inner rollback() undoes only its own
// part and only the outermost commit() makes the work durable. A connection
// is used by one thread at a time (SQLite takes no mutex per call).
class Connection {
 public:
  // `path` may be ":memory:". `label` names the database in errors (default: path).
  static Result<Connection> open(const std::string& path, Access access,
                                 const std::string& label = {});

  Connection() = default;
  ~Connection();
  Connection(Connection&& other) noexcept;
  Connection& operator=(Connection&& other) noexcept;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  const std::string& label() const { return *label_; }
  sqlite3* raw() const { return db_; }

  // A new in-memory database holding a copy of this one (same label). Reads
  // this connection only.
  Result<Connection> copy_into_memory();

  // Runs one or more statements without parameters (DDL, PRAGMA).
  Status exec(const char* sql);
  // A fresh statement, owned by the caller.
  Result<Statement> prepare(std::string_view sql);
  // A statement prepared once for this connection's life (see class comment).
  Result<StatementLease> cached(const char* sql);
  // First column of the first row of `sql` as an integer (PRAGMAs, counts).
  Result<std::int64_t> query_int(const char* sql);

  std::int64_t last_insert_rowid() const;
  int changes() const;  // rows changed by the last INSERT/UPDATE/DELETE
  // Rows changed through this connection since it was opened.
  std::int64_t total_changes() const;
  bool is_read_only() const;  // the main database cannot be written

  Status begin();
  Status commit();
  void rollback() noexcept;
  int depth() const { return depth_; }
  // Counts the outermost transactions that have ended (committed or rolled
  // back): while it and total_changes() stay the same inside a transaction,
  // the connection reads one unchanging snapshot.
  std::uint64_t transactions_ended() const { return transactions_ended_; }

  // An error of our own making (not from SQLite) in the same shape.
  Error error(int rc, std::string_view doing) const;

 private:
  Status step_cached(const char* sql, std::string_view doing);
  void close() noexcept;

  sqlite3* db_ = nullptr;
  std::shared_ptr<const std::string> label_ = std::make_shared<const std::string>();
  std::unordered_map<const char*, std::unique_ptr<Statement>> cache_;
  int depth_ = 0;
  std::uint64_t transactions_ended_ = 0;
};

// RAII transaction (or savepoint, when one is already open): rolled back on
// destruction unless commit() succeeded.
class Transaction {
 public:
  static Result<Transaction> begin(Connection& conn);
  ~Transaction();
  Transaction(Transaction&& other) noexcept : conn_(std::exchange(other.conn_, nullptr)) {}
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  Status commit();

 private:
  explicit Transaction(Connection& conn) : conn_(&conn) {}
  Connection* conn_;
};

}  // namespace crmr::db
