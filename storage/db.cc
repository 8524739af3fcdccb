#include "storage/db.h"

#include <sqlite3.h>

namespace crmr::db {
namespace {

constexpr int kBusyTimeoutMs = 5000;

constexpr char kBeginWrite[] = "BEGIN IMMEDIATE";
constexpr char kBeginRead[] = "BEGIN";
constexpr char kCommit[] = "COMMIT";
constexpr char kRollback[] = "ROLLBACK";
constexpr char kSavepoint[] = "SAVEPOINT crmr_nested";
constexpr char kRelease[] = "RELEASE crmr_nested";
constexpr char kRollbackTo[] = "ROLLBACK TO crmr_nested";

struct Kind {
  Code code;
  const char* hint;
  Retry retry;
};

Kind classify(int rc) {
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return {Code::StoreBusy,
              "another crm-router process is using the database; run again when it has finished",
              Retry::Later};
    case SQLITE_NOTADB:
      return {Code::StoreNotADatabase,
              "--db must name crm-router's state database, or a file that does not exist yet",
              Retry::Never};
    case SQLITE_CORRUPT:
      return {Code::StoreCorrupt,
              "restore the file from a backup, or move it away and refill the cache with "
              "`sync` or `cache import`",
              Retry::Never};
    case SQLITE_READONLY:
      return {Code::StoreReadOnlyFile,
              "check the permissions of the file and its directory, or use --dry-run",
              Retry::Never};
    case SQLITE_CANTOPEN:
      return {Code::StoreCannotOpen,
              "check that the directory exists and that the file may be created and written",
              Retry::Never};
    case SQLITE_FULL:
      return {Code::StoreDiskFull, "free some disk space", Retry::Later};
    case SQLITE_IOERR:
      return {Code::StoreIoError, "check the disk and the file system", Retry::Never};
    case SQLITE_CONSTRAINT:
      return {Code::StoreConstraint, "", Retry::Never};
    case SQLITE_PERM:
    case SQLITE_AUTH:
      return {Code::StorePermission, "check the permissions of the file and its directory",
              Retry::Never};
    default:
      return {Code::StoreSqlite, "", Retry::Never};
  }
}

// "file:" URI for `path` with the characters URIs reserve percent-encoded.
std::string file_uri(const std::string& path, const char* query) {
  std::string uri = "file:";
  for (unsigned char c : path) {
    if (c == '%' || c == '?' || c == '#' || c < 0x20 || c >= 0x7f) {
      static const char* hex = "0123456789ABCDEF";
      uri += '%';
      uri += hex[c >> 4];
      uri += hex[c & 15];
    } else {
      uri += static_cast<char>(c);
    }
  }
  return uri + query;
}

}  // namespace

Error sqlite_error(sqlite3* db, int rc, std::string_view label, std::string_view doing) {
  const Kind kind = classify(rc);
  std::string detail;
  if (db && sqlite3_extended_errcode(db) == rc) {
    detail = sqlite3_errmsg(db);
  } else {
    detail = sqlite3_errstr(rc);
  }
  std::string message(label.empty() ? std::string_view(":memory:") : label);
  message += ": ";
  message += doing;
  message += ": ";
  message += detail;
  return Error{kind.code, std::move(message), kind.hint, Scope::Run, kind.retry};
}

// --- Statement

Statement::Statement(sqlite3_stmt* stmt, std::shared_ptr<const std::string> label)
    : stmt_(stmt), label_(std::move(label)) {}

Statement::~Statement() { sqlite3_finalize(stmt_); }

Statement::Statement(Statement&& other) noexcept
    : stmt_(std::exchange(other.stmt_, nullptr)), label_(std::move(other.label_)) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    stmt_ = std::exchange(other.stmt_, nullptr);
    label_ = std::move(other.label_);
  }
  return *this;
}

Error Statement::error(int rc, std::string_view doing) const {
  std::string what(doing);
  if (stmt_) {
    std::string_view sql = sqlite3_sql(stmt_);
    what += " `";
    what += sql.substr(0, 60);
    if (sql.size() > 60) what += "...";
    what += "`";
  }
  return sqlite_error(stmt_ ? sqlite3_db_handle(stmt_) : nullptr, rc, label_ ? *label_ : "",
                      what);
}

Status Statement::bind(int index, std::string_view text) {
  int rc = sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT,
                               SQLITE_UTF8);
  if (rc != SQLITE_OK) return fail(error(rc, "binding a parameter of"));
  return {};
}

Status Statement::bind_static(int index, std::string_view text) {
  int rc = sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_STATIC, SQLITE_UTF8);
  if (rc != SQLITE_OK) return fail(error(rc, "binding a parameter of"));
  return {};
}

Status Statement::bind(int index, std::int64_t value) {
  int rc = sqlite3_bind_int64(stmt_, index, value);
  if (rc != SQLITE_OK) return fail(error(rc, "binding a parameter of"));
  return {};
}

Status Statement::bind_blob(int index, std::string_view bytes) {
  // A zero-length blob is still a blob (not NULL): bind it with a valid pointer.
  static const char empty = 0;
  const char* data = bytes.empty() ? &empty : bytes.data();
  int rc = sqlite3_bind_blob64(stmt_, index, data, bytes.size(), SQLITE_TRANSIENT);
  if (rc != SQLITE_OK) return fail(error(rc, "binding a parameter of"));
  return {};
}

Status Statement::bind_blob(const char* name, std::string_view bytes) {
  auto index = parameter_index(name);
  if (!index) return fail(index.error());
  return bind_blob(*index, bytes);
}

Status Statement::bind_null(int index) {
  int rc = sqlite3_bind_null(stmt_, index);
  if (rc != SQLITE_OK) return fail(error(rc, "binding a parameter of"));
  return {};
}

Result<int> Statement::parameter_index(const char* name) const {
  int index = sqlite3_bind_parameter_index(stmt_, name);
  if (index == 0) return fail(error(SQLITE_RANGE, std::string("no parameter ") + name + " in"));
  return index;
}

Result<bool> Statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return fail(error(rc, "running"));
}

Status Statement::run() {
  for (;;) {
    auto row = step();
    if (!row) return fail(row.error());
    if (!*row) return {};
  }
}

void Statement::reset() noexcept {
  if (!stmt_) return;
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

std::string Statement::column_text(int column) const {
  const auto* text = sqlite3_column_text(stmt_, column);
  if (!text) return {};
  return std::string(reinterpret_cast<const char*>(text),
                     static_cast<size_t>(sqlite3_column_bytes(stmt_, column)));
}

std::string Statement::column_blob(int column) const {
  const void* data = sqlite3_column_blob(stmt_, column);
  if (!data) return {};
  return std::string(static_cast<const char*>(data),
                     static_cast<size_t>(sqlite3_column_bytes(stmt_, column)));
}

std::int64_t Statement::column_int64(int column) const {
  return sqlite3_column_int64(stmt_, column);
}

bool Statement::column_is_null(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

// --- Connection

Result<Connection> Connection::open(const std::string& path, Access access,
                                    const std::string& label) {
  // SQLite keeps memory statistics under a global mutex on every allocation;
  // nothing reads them. Only possible before SQLite's first use (else a no-op).
  static const int no_memory_statistics = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  (void)no_memory_statistics;
  Connection conn;
  conn.label_ = std::make_shared<const std::string>(label.empty() ? path : label);
  // A connection is used by one thread at a time (its owner's): no mutex per call.
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
  std::string name = path;
  if (access == Access::ReadOnly) flags = SQLITE_OPEN_READONLY;
  if (access == Access::ReadOnlyImmutable) {
    flags = SQLITE_OPEN_READONLY | SQLITE_OPEN_URI;
    name = file_uri(path, "?immutable=1");
  }
  flags |= SQLITE_OPEN_NOMUTEX;
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(name.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    Error e = sqlite_error(db, rc, *conn.label_, "cannot open");
    sqlite3_close_v2(db);
    return fail(std::move(e));
  }
  conn.db_ = db;
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, kBusyTimeoutMs);
  return conn;
}

Connection::~Connection() { close(); }

void Connection::close() noexcept {
  cache_.clear();  // statements are finalised before the handle closes
  if (db_) sqlite3_close_v2(db_);
  db_ = nullptr;
  depth_ = 0;
}

Connection::Connection(Connection&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)),
      label_(std::move(other.label_)),
      cache_(std::move(other.cache_)),
      depth_(std::exchange(other.depth_, 0)) {
  other.label_ = std::make_shared<const std::string>();
}

Connection& Connection::operator=(Connection&& other) noexcept {
  if (this != &other) {
    close();
    db_ = std::exchange(other.db_, nullptr);
    label_ = std::exchange(other.label_, std::make_shared<const std::string>());
    cache_ = std::move(other.cache_);
    depth_ = std::exchange(other.depth_, 0);
    ++transactions_ended_;  // another database, or another snapshot, from now on
  }
  return *this;
}

Error Connection::error(int rc, std::string_view doing) const {
  return sqlite_error(db_, rc, *label_, doing);
}

Status Connection::exec(const char* sql) {
  char* message = nullptr;
  int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &message);
  sqlite3_free(message);  // the same text is still in sqlite3_errmsg()
  if (rc != SQLITE_OK) {
    std::string_view text(sql);
    std::string doing = "running `" + std::string(text.substr(0, 60));
    doing += text.size() > 60 ? "...`" : "`";
    return fail(error(rc, doing));
  }
  return {};
}

Result<Statement> Connection::prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt);
    std::string doing = "preparing `" + std::string(sql.substr(0, 60));
    doing += sql.size() > 60 ? "...`" : "`";
    return fail(error(rc, doing));
  }
  return Statement(stmt, label_);
}

Result<StatementLease> Connection::cached(const char* sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    auto stmt = prepare(sql);
    if (!stmt) return fail(stmt.error());
    it = cache_.emplace(sql, std::make_unique<Statement>(std::move(*stmt))).first;
  }
  // Reset already: a lease resets its statement when it ends.
  return StatementLease(*it->second);
}

Result<std::int64_t> Connection::query_int(const char* sql) {
  auto stmt = prepare(sql);
  if (!stmt) return fail(stmt.error());
  auto row = stmt->step();
  if (!row) return fail(row.error());
  return *row ? stmt->column_int64(0) : 0;
}

std::int64_t Connection::last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }

int Connection::changes() const { return sqlite3_changes(db_); }

std::int64_t Connection::total_changes() const { return sqlite3_total_changes(db_); }

Result<Connection> Connection::copy_into_memory() {
  auto copy = open(":memory:", Access::ReadWriteCreate, *label_);
  if (!copy) return copy;
  sqlite3_backup* backup = sqlite3_backup_init(copy->db_, "main", db_, "main");
  if (!backup) return fail(copy->error(sqlite3_extended_errcode(copy->db_), "copying into memory"));
  int rc = sqlite3_backup_step(backup, -1);
  sqlite3_backup_finish(backup);
  if (rc != SQLITE_DONE) return fail(error(rc, "copying into memory"));
  return copy;
}

bool Connection::is_read_only() const { return sqlite3_db_readonly(db_, "main") == 1; }

Status Connection::step_cached(const char* sql, std::string_view doing) {
  auto stmt = cached(sql);
  if (!stmt) return fail(stmt.error());
  int rc = sqlite3_step((*stmt)->raw());
  if (rc != SQLITE_DONE && rc != SQLITE_ROW) return fail(error(rc, doing));
  return {};
}

Status Connection::begin() {
  if (depth_ == 0) {
    auto st = step_cached(is_read_only() ? kBeginRead : kBeginWrite, "beginning a transaction");
    if (!st) return st;
  } else {
    auto st = step_cached(kSavepoint, "beginning a nested transaction");
    if (!st) return st;
  }
  ++depth_;
  return {};
}

Status Connection::commit() {
  if (depth_ == 0) return fail(error(SQLITE_MISUSE, "commit without a transaction"));
  if (sqlite3_get_autocommit(db_)) {
    // SQLite already rolled the whole transaction back (after an I/O or full-disk error).
    depth_ = 0;
    ++transactions_ended_;
    return fail(error(SQLITE_ABORT, "commit after the transaction was rolled back"));
  }
  if (depth_ == 1) {
    auto st = step_cached(kCommit, "committing");
    if (!st) return st;  // still open: the caller may retry or roll back
    ++transactions_ended_;
  } else {
    auto st = step_cached(kRelease, "committing a nested transaction");
    if (!st) return st;
  }
  --depth_;
  return {};
}

void Connection::rollback() noexcept {
  if (depth_ == 0) return;
  if (sqlite3_get_autocommit(db_)) {
    depth_ = 0;
    ++transactions_ended_;
    return;
  }
  if (depth_ == 1) {
    (void)step_cached(kRollback, "rolling back");
    ++transactions_ended_;
  } else {
    (void)step_cached(kRollbackTo, "rolling back a nested transaction");
    (void)step_cached(kRelease, "rolling back a nested transaction");
  }
  --depth_;
}

// --- Transaction

Result<Transaction> Transaction::begin(Connection& conn) {
  auto st = conn.begin();
  if (!st) return fail(st.error());
  return Transaction(conn);
}

Transaction::~Transaction() {
  if (conn_) conn_->rollback();
}

Status Transaction::commit() {
  if (!conn_) return {};
  auto st = conn_->commit();
  if (st) conn_ = nullptr;
  return st;
}

}  // namespace crmr::db
