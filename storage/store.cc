// Store: opening (modes, migrations, pragmas), transactions, organisation
// settings and statistics. Records and tracked mail: store_cache.cc; ledger,
// outbox, runs and quarantine: store_journal.cc.
#include <filesystem>
#include <system_error>

#include "core/base/normalize.h"
#include "core/base/utf8_path.h"
#include "storage/schema.h"
#include "storage/store_impl.h"

namespace crmr {
namespace {

namespace fs = std::filesystem;

constexpr char kSelectOrg[] =
    "SELECT tracking_prefixes, token_id_base, token_id_digits, max_tracking_number,"
    " correlation_enabled, smart_matching, hash_filter_keywords, hash_max_count,"
    " hash_delta_subject_count, hash_min_address_count, ignore_internal_email,"
    " unresolve_if_multiple_match, max_upload_file_size, blocked_extensions"
    " FROM org_settings WHERE id = 1";

constexpr char kPutOrg[] =
    "INSERT OR REPLACE INTO org_settings (id, tracking_prefixes, token_id_base,"
    " token_id_digits, max_tracking_number, correlation_enabled, smart_matching,"
    " hash_filter_keywords, hash_max_count, hash_delta_subject_count,"
    " hash_min_address_count, ignore_internal_email, unresolve_if_multiple_match,"
    " max_upload_file_size, blocked_extensions)"
    " VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)";

constexpr char kCountRecords[] = "SELECT entity, count(*) FROM records GROUP BY entity";
constexpr char kCountEmails[] = "SELECT count(*) FROM tracked_emails";
constexpr char kCountLedger[] = "SELECT count(*) FROM ledger";
constexpr char kCountOutbox[] = "SELECT count(*) FROM outbox WHERE state = 'pending'";
constexpr char kCountQuarantine[] = "SELECT count(*) FROM quarantine";
constexpr char kCountRuns[] = "SELECT count(*) FROM runs";

std::string trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return std::string(s);
}

// Settings the way they are kept: prefixes trimmed, extensions lower-case
// without a dot, empty items dropped.
OrgSettings canonical(OrgSettings org) {
  std::vector<std::string> prefixes;
  for (const auto& p : org.tracking_prefixes)
    if (auto t = trim(p); !t.empty()) prefixes.push_back(std::move(t));
  org.tracking_prefixes = std::move(prefixes);
  std::vector<std::string> extensions;
  for (const auto& e : org.blocked_extensions) {
    std::string t = trim(e);
    while (!t.empty() && t.front() == '.') t.erase(0, 1);
    for (char& c : t)
      if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
    if (!t.empty()) extensions.push_back(std::move(t));
  }
  org.blocked_extensions = std::move(extensions);
  return org;
}

Status configure(db::Connection& conn, bool file_read_write) {
  if (file_read_write) {
    // WAL lets dry runs and reports read while a run writes.
    if (auto st = conn.exec("PRAGMA journal_mode = WAL"); !st) return st;
    if (auto st = conn.exec("PRAGMA synchronous = NORMAL"); !st) return st;
  }
  // A 16 MiB page cache (the operating system caches the file as well: a
  // million-contact import is no faster with 32 MiB) keeps `cache import` and
  // `sync` within their 64 MB; savepoint journals stay in RAM.
  if (auto st = conn.exec("PRAGMA cache_size = -16384"); !st) return st;
  if (auto st = conn.exec("PRAGMA temp_store = MEMORY"); !st) return st;
  return conn.exec("PRAGMA foreign_keys = ON");
}

// A fresh in-memory database with the current schema, named `label` in errors.
Result<db::Connection> open_empty_memory(const std::string& label) {
  auto conn = db::Connection::open(":memory:", db::Access::ReadWriteCreate, label);
  if (!conn) return conn;
  if (auto st = configure(*conn, false); !st) return fail(st.error());
  if (auto st = apply_migrations(*conn, schema_migrations()); !st) return fail(st.error());
  return conn;
}

Status check_not_newer(db::Connection& conn) {
  auto version = conn.query_int("PRAGMA user_version");
  if (!version) return fail(version.error());
  if (*version > current_schema_version()) {
    return fail(Code::StoreSchemaNewer,
                conn.label() + ": the database has schema version " + std::to_string(*version) +
                    ", this crm-router knows versions up to " +
                    std::to_string(current_schema_version()),
                "use a newer crm-router with this database, or point --db at another file");
  }
  return {};
}

// ReadOnly on an existing file: never writes it (no migration, no journal
// mode change, query_only). An older schema is copied into memory and
// migrated there, so everything the file holds can still be read.
Result<db::Connection> open_read_only(const std::string& path, db::Access access) {
  auto conn = db::Connection::open(path, access);
  if (!conn) return conn;
  if (auto st = conn->exec("PRAGMA query_only = ON"); !st) return fail(st.error());
  if (auto st = check_not_newer(*conn); !st) {
    // A WAL database needs its -shm/-wal files, which cannot be created in a
    // directory we may not write. Without a -wal file no writer has it open,
    // so it can be read as immutable instead.
    std::error_code ec;
    if (access == db::Access::ReadOnly && st.error().code == Code::StoreReadOnlyFile &&
        !fs::exists(utf8_path(path + "-wal"), ec)) {
      conn = db::Connection();
      return open_read_only(path, db::Access::ReadOnlyImmutable);
    }
    return fail(st.error());
  }
  auto version = conn->query_int("PRAGMA user_version");
  if (!version) return fail(version.error());
  if (*version == current_schema_version()) {
    if (auto st = configure(*conn, false); !st) return fail(st.error());
    return conn;
  }
  auto copy = conn->copy_into_memory();
  if (!copy) return copy;
  if (auto st = configure(*copy, false); !st) return fail(st.error());
  if (auto st = apply_migrations(*copy, schema_migrations()); !st) return fail(st.error());
  return copy;
}

Result<db::Connection> open_read_write(const std::string& path) {
  const fs::path file = utf8_path(path);
  std::error_code ec;
  const fs::path dir = file.parent_path();
  if (!dir.empty() && !fs::is_directory(dir, ec)) {
    return fail(Code::StoreNoDirectory,
                path + ": cannot create the database: directory " + utf8_string(dir) +
                    " does not exist",
                "create the directory, or choose another --db");
  }
  if (fs::is_directory(file, ec)) {
    return fail(Code::StoreCannotOpen, path + ": cannot open the database: it is a directory",
                "--db must name a file");
  }
  auto conn = db::Connection::open(path, db::Access::ReadWriteCreate);
  if (!conn) return conn;
  if (conn->is_read_only()) {
    return fail(Code::StoreReadOnlyFile,
                path + ": the database file (or its directory) is read-only", "check the permissions of the file and its directory, or use --dry-run");
  }
  if (auto st = check_not_newer(*conn); !st) return fail(st.error());
  if (auto st = configure(*conn, true); !st) return fail(st.error());
  if (auto st = apply_migrations(*conn, schema_migrations()); !st) return fail(st.error());
  return conn;
}

}  // namespace

std::string join_list(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += ';';
    out += item;
  }
  return out;
}

std::vector<std::string> split_list(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    auto semi = text.find(';');
    auto item = trim(text.substr(0, semi));
    if (!item.empty()) out.push_back(std::move(item));
    if (semi == std::string_view::npos) break;
    text.remove_prefix(semi + 1);
  }
  return out;
}

Status Store::Impl::writable(std::string_view what) const {
  if (mode == OpenMode::ReadOnly) {
    return fail(Code::StoreReadOnly,
                path + ": opened read-only (dry run): cannot " + std::string(what), "run without --dry-run to change the database");
  }
  return {};
}

Result<std::unique_ptr<Store>> Store::open(const std::string& path, OpenMode mode) {
  auto impl = std::make_unique<Impl>();
  impl->mode = mode;
  impl->path = path.empty() ? ":memory:" : path;
  Result<db::Connection> conn;
  std::error_code ec;
  if (impl->path == ":memory:") {
    conn = open_empty_memory(":memory:");
  } else if (mode == OpenMode::ReadOnly) {
    // A dry run without a database reads an empty cache (cache_info() says
    // the file does not exist).
    impl->file_missing = !fs::exists(utf8_path(impl->path), ec);
    conn = impl->file_missing ? open_empty_memory(impl->path)
                              : open_read_only(impl->path, db::Access::ReadOnly);
  } else {
    conn = open_read_write(impl->path);
  }
  if (!conn) return fail(conn.error());
  impl->conn = std::move(*conn);
  return std::unique_ptr<Store>(new Store(std::move(impl)));
}

Store::Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Store::~Store() {
  // Work left in an open transaction is not committed implicitly.
  while (impl_ && impl_->conn.depth() > 0) impl_->conn.rollback();
}

int Store::schema_version() const {
  auto version = impl_->conn.query_int("PRAGMA user_version");
  return version ? static_cast<int>(*version) : 0;
}

Status Store::begin() { return impl_->conn.begin(); }

Status Store::commit() { return impl_->conn.commit(); }

void Store::rollback() noexcept {
  impl_->conn.rollback();
  impl_->org.reset();
}

Result<const OrgSettings*> Store::Impl::read_org() {
  if (org) return &*org;
  OrgSettings o;
  o.blocked_extensions = default_blocked_extensions();
  auto q = conn.cached(kSelectOrg);
  if (!q) return fail(q.error());
  auto row = (*q)->step();
  if (!row) return fail(row.error());
  if (!*row) {  // no settings stored: the defaults (kept too, as stored ones are)
    org = std::move(o);
    return &*org;
  }
  auto& s = **q;
  o.tracking_prefixes = split_list(s.column_text(0));
  o.token_id_base = s.column_int(1);
  o.token_id_digits = s.column_int(2);
  o.max_tracking_number = s.column_int(3);
  o.correlation_enabled = s.column_bool(4);
  o.smart_matching = s.column_bool(5);
  o.hash_filter_keywords = s.column_text(6);
  o.hash_max_count = s.column_int(7);
  o.hash_delta_subject_count = s.column_int(8);
  o.hash_min_address_count = s.column_int(9);
  o.ignore_internal_email = s.column_bool(10);
  o.unresolve_if_multiple_match = s.column_bool(11);
  o.max_upload_file_size = s.column_int64(12);
  o.blocked_extensions = split_list(s.column_text(13));
  org = std::move(o);
  return &*org;
}

void Store::Impl::lookup_failed(const Error& e) const {
  if (!lookup_error) lookup_error = e;
}

OrgSettings Store::org() const {
  auto o = impl_->read_org();
  if (o) return **o;
  impl_->lookup_failed(o.error());
  OrgSettings defaults;
  defaults.blocked_extensions = default_blocked_extensions();
  return defaults;
}

Status Store::status() const {
  if (impl_->lookup_error) return fail(*impl_->lookup_error);
  return {};
}

Status Store::put_org(const OrgSettings& given) {
  if (auto st = impl_->writable("store organisation settings"); !st) return st;
  const OrgSettings org = canonical(given);
  auto old_org = impl_->read_org();
  if (!old_org) return fail(old_org.error());
  const OrgSettings& old = **old_org;  // the kept one: replaced only at the end
  auto tx = db::Transaction::begin(impl_->conn);
  if (!tx) return fail(tx.error());
  {
    auto q = impl_->conn.cached(kPutOrg);
    if (!q) return fail(q.error());
    auto& s = **q;
    Status st = s.bind(1, join_list(org.tracking_prefixes));
    if (st) st = s.bind(2, org.token_id_base);
    if (st) st = s.bind(3, org.token_id_digits);
    if (st) st = s.bind(4, org.max_tracking_number);
    if (st) st = s.bind(5, org.correlation_enabled);
    if (st) st = s.bind(6, org.smart_matching);
    if (st) st = s.bind(7, org.hash_filter_keywords);
    if (st) st = s.bind(8, org.hash_max_count);
    if (st) st = s.bind(9, org.hash_delta_subject_count);
    if (st) st = s.bind(10, org.hash_min_address_count);
    if (st) st = s.bind(11, org.ignore_internal_email);
    if (st) st = s.bind(12, org.unresolve_if_multiple_match);
    if (st) st = s.bind(13, org.max_upload_file_size);
    if (st) st = s.bind(14, join_list(org.blocked_extensions));
    if (st) st = s.run();
    if (!st) return st;
  }
  if (old.hash_filter_keywords != org.hash_filter_keywords ||
      old.hash_max_count != org.hash_max_count) {
    if (auto st = impl_->rehash_subjects(org); !st) return st;
  }
  if (auto st = tx->commit(); !st) return st;
  impl_->org = org;
  return {};
}

Result<std::map<std::string, std::int64_t>> Store::cache_stats() const {
  std::map<std::string, std::int64_t> stats{{"systemuser", 0}, {"queue", 0}, {"contact", 0},
                                            {"account", 0},    {"lead", 0},  {"email", 0}};
  {
    auto q = impl_->conn.cached(kCountRecords);
    if (!q) return fail(q.error());
    Status st = db::for_each_row(**q, [&](const db::Statement& row) -> Status {
      stats[row.column_text(0)] = row.column_int64(1);
      return {};
    });
    if (!st) return fail(st.error());
  }
  const std::pair<const char*, const char*> counts[] = {
      {"email", kCountEmails},          {"ledger", kCountLedger},
      {"outbox_pending", kCountOutbox}, {"quarantine", kCountQuarantine},
      {"runs", kCountRuns}};
  for (const auto& [name, sql] : counts) {
    auto q = impl_->conn.cached(sql);
    if (!q) return fail(q.error());
    auto row = (*q)->step();
    if (!row) return fail(row.error());
    stats[name] = *row ? (*q)->column_int64(0) : 0;
  }
  return stats;
}

}  // namespace crmr
