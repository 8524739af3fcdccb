#include "sim_store.h"

#include <set>

#include <sqlite3.h>

namespace crmr::sim {
namespace {

std::string column_text(sqlite3_stmt* s, int i) {
  auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s, i));
  return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(s, i))) : std::string();
}

}  // namespace

// Generated columns of the tables tests inspect, next to the JSON document.
std::string generated_columns(const std::string& table) {
  if (table == "emails")
    return ",messageid TEXT COLLATE NOCASE GENERATED ALWAYS AS (json_extract(data,'$.messageid'))"
           ",directioncode INTEGER GENERATED ALWAYS AS (json_extract(data,'$.directioncode'))"
           ",statecode INTEGER GENERATED ALWAYS AS (json_extract(data,'$.statecode'))"
           ",statuscode INTEGER GENERATED ALWAYS AS (json_extract(data,'$.statuscode'))"
           ",subject TEXT GENERATED ALWAYS AS (json_extract(data,'$.subject'))"
           ",trackingtoken TEXT COLLATE NOCASE GENERATED ALWAYS AS "
           "(json_extract(data,'$.trackingtoken'))";
  if (table == "attachments")
    return ",objectid TEXT GENERATED ALWAYS AS (json_extract(data,'$._objectid_value'))"
           ",filename TEXT GENERATED ALWAYS AS (json_extract(data,'$.filename'))"
           ",filesize INTEGER GENERATED ALWAYS AS (json_extract(data,'$.filesize'))";
  return {};
}

SimStore::SimStore(const std::string& path) {
  if (sqlite3_open_v2(path.c_str(), &db_,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                      nullptr) != SQLITE_OK) {
    std::string what = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw StoreFailure(path + ": " + what);
  }
  sqlite3_busy_timeout(db_, 5000);
  exec("PRAGMA journal_mode=WAL");
  exec("PRAGMA synchronous=NORMAL");
  std::set<std::string> done;
  for (auto& e : entities()) {
    std::string table = e.table;
    if (!done.insert(table).second) continue;
    exec("CREATE TABLE IF NOT EXISTS " + table +
         " (rowid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE COLLATE NOCASE, data TEXT NOT "
         "NULL, modifiedon TEXT NOT NULL, version INTEGER NOT NULL" +
         generated_columns(table) + ")");
    exec("CREATE INDEX IF NOT EXISTS " + table + "_version ON " + table + "(version)");
  }
  exec("CREATE INDEX IF NOT EXISTS emails_messageid ON emails(messageid)");
  exec("CREATE INDEX IF NOT EXISTS emails_trackingtoken ON emails(trackingtoken)");
  exec("CREATE INDEX IF NOT EXISTS attachments_objectid ON attachments(objectid)");
  exec("CREATE INDEX IF NOT EXISTS emails_modifiedon ON emails(modifiedon)");
  exec("CREATE TABLE IF NOT EXISTS parties (activitypartyid TEXT PRIMARY KEY, activityid TEXT "
       "NOT NULL, participationtypemask INTEGER NOT NULL, partyid TEXT, partyobjecttype TEXT, "
       "addressused TEXT)");
  exec("CREATE INDEX IF NOT EXISTS parties_activityid ON parties(activityid)");
  exec("CREATE TABLE IF NOT EXISTS deleted (entity TEXT NOT NULL, id TEXT NOT NULL, version "
       "INTEGER NOT NULL, deletedon TEXT NOT NULL)");
  std::string max_sql = "SELECT max(v) FROM (SELECT max(version) v FROM deleted";
  for (auto& t : done) max_sql += " UNION ALL SELECT max(version) FROM " + t;
  max_sql += ")";
  auto* s = prepare(max_sql);
  if (sqlite3_step(s) == SQLITE_ROW) version_ = sqlite3_column_int64(s, 0);
  sqlite3_reset(s);
}

SimStore::~SimStore() {
  for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
  if (db_) sqlite3_close(db_);
}

void SimStore::raise(const std::string& what) {
  throw StoreFailure(what + ": " + sqlite3_errmsg(db_));
}

void SimStore::exec(const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string what = err ? err : "error";
    sqlite3_free(err);
    throw StoreFailure(sql + ": " + what);
  }
}

sqlite3_stmt* SimStore::prepare(const std::string& sql) {
  auto it = statements_.find(sql);
  if (it != statements_.end()) {
    sqlite3_reset(it->second);
    sqlite3_clear_bindings(it->second);
    return it->second;
  }
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) raise(sql);
  if (statements_.size() > 500) {  // dynamic filters: keep the cache bounded
    for (auto& [k, s] : statements_) sqlite3_finalize(s);
    statements_.clear();
  }
  statements_.emplace(sql, stmt);
  return stmt;
}

void SimStore::bind(sqlite3_stmt* s, int i, const SqlValue& v) {
  int rc = SQLITE_OK;
  if (std::holds_alternative<std::nullptr_t>(v)) rc = sqlite3_bind_null(s, i);
  if (auto* n = std::get_if<std::int64_t>(&v)) rc = sqlite3_bind_int64(s, i, *n);
  if (auto* d = std::get_if<double>(&v)) rc = sqlite3_bind_double(s, i, *d);
  if (auto* t = std::get_if<std::string>(&v))
    rc = sqlite3_bind_text(s, i, t->data(), static_cast<int>(t->size()), SQLITE_TRANSIENT);
  if (rc != SQLITE_OK) raise("bind");
}

void SimStore::step_done(sqlite3_stmt* s) {
  int rc = sqlite3_step(s);
  sqlite3_reset(s);
  if (rc != SQLITE_DONE && rc != SQLITE_ROW) raise("step");
}

bool SimStore::exists(const EntityInfo& e, const std::string& id) {
  if (generated_row(e, id)) return true;
  auto* s = prepare(std::string("SELECT 1 FROM ") + e.table + " WHERE id = ?");
  bind(s, 1, id);
  bool found = sqlite3_step(s) == SQLITE_ROW;
  sqlite3_reset(s);
  return found;
}

std::optional<json> SimStore::get(const EntityInfo& e, const std::string& id) {
  auto* s = prepare(std::string("SELECT data FROM ") + e.table + " WHERE id = ?");
  bind(s, 1, id);
  std::optional<json> out;
  if (sqlite3_step(s) == SQLITE_ROW) out = json::parse(column_text(s, 0));
  sqlite3_reset(s);
  return out ? out : generated_row(e, id);
}

json SimStore::put(const EntityInfo& e, const std::string& id, json data) {
  const std::string now = now_iso();
  const std::int64_t version = ++version_;
  data[e.key] = id;
  if (!data.contains("createdon")) data["createdon"] = now;
  data["modifiedon"] = now;
  data["versionnumber"] = version;
  auto* s = prepare(std::string("INSERT INTO ") + e.table +
                    "(id,data,modifiedon,version) VALUES(?,?,?,?) ON CONFLICT(id) DO UPDATE SET "
                    "data=excluded.data, modifiedon=excluded.modifiedon, version=excluded.version");
  bind(s, 1, id);
  bind(s, 2, data.dump(-1, ' ', false, json::error_handler_t::replace));
  bind(s, 3, now);
  bind(s, 4, version);
  step_done(s);
  return data;
}

bool SimStore::remove(const EntityInfo& e, const std::string& id) {
  auto* s = prepare(std::string("DELETE FROM ") + e.table + " WHERE id = ?");
  bind(s, 1, id);
  step_done(s);
  if (sqlite3_changes(db_) == 0) return false;
  if (std::string(e.table) == "emails") {
    auto* p = prepare("DELETE FROM parties WHERE activityid = ?");
    bind(p, 1, id);
    step_done(p);
    auto* a = prepare("DELETE FROM attachments WHERE objectid = ?");
    bind(a, 1, id);
    step_done(a);
  }
  auto* d = prepare("INSERT INTO deleted(entity,id,version,deletedon) VALUES(?,?,?,?)");
  bind(d, 1, std::string(e.table));
  bind(d, 2, id);
  bind(d, 3, ++version_);
  bind(d, 4, now_iso());
  step_done(d);
  return true;
}

std::vector<StoredRow> SimStore::select(const EntityInfo& e, const std::string& where,
                                        const std::vector<SqlValue>& binds,
                                        std::int64_t after_rowid, std::int64_t min_version,
                                        std::int64_t limit) {
  std::string sql = std::string("SELECT rowid, version, data FROM ") + e.table +
                    " WHERE rowid > ? AND version > ?";
  if (!where.empty()) sql += " AND (" + where + ")";
  sql += " ORDER BY rowid LIMIT ?";
  auto* s = prepare(sql);
  int i = 1;
  bind(s, i++, after_rowid);
  bind(s, i++, min_version);
  for (auto& v : binds) bind(s, i++, v);
  bind(s, i, limit < 0 ? std::int64_t{-1} : limit);
  std::vector<StoredRow> rows;
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW)
    rows.push_back({sqlite3_column_int64(s, 0), sqlite3_column_int64(s, 1),
                    json::parse(column_text(s, 2))});
  sqlite3_reset(s);
  if (rc != SQLITE_DONE) raise(sql);
  return rows;
}

std::vector<StoredRow> SimStore::select_served(const EntityInfo& e, const std::string& where,
                                               const std::vector<SqlValue>& binds,
                                               std::int64_t after_rowid, std::int64_t min_version,
                                               std::int64_t limit) {
  auto rows = select(e, where, binds, after_rowid, min_version, limit);
  if (generated_ && min_version == 0) select_generated(e, where, binds, after_rowid, limit, rows);
  return rows;
}

std::vector<std::string> SimStore::deleted_since(const EntityInfo& e, std::int64_t version) {
  auto* s = prepare("SELECT id FROM deleted WHERE entity = ? AND version > ? ORDER BY version");
  bind(s, 1, std::string(e.table));
  bind(s, 2, version);
  std::vector<std::string> ids;
  while (sqlite3_step(s) == SQLITE_ROW) ids.push_back(column_text(s, 0));
  sqlite3_reset(s);
  return ids;
}

std::optional<std::string> SimStore::incoming_email_by_messageid(const std::string& messageid) {
  auto* s = prepare("SELECT id FROM emails WHERE messageid = ? AND directioncode = 0 LIMIT 1");
  bind(s, 1, messageid);
  std::optional<std::string> id;
  if (sqlite3_step(s) == SQLITE_ROW) id = column_text(s, 0);
  sqlite3_reset(s);
  return id;
}

void SimStore::add_party(const std::string& activityid, int mask, const std::string& partyid,
                         const std::string& partytype, const std::string& addressused) {
  auto* s = prepare("INSERT INTO parties(activitypartyid,activityid,participationtypemask,partyid,"
                    "partyobjecttype,addressused) VALUES(?,?,?,?,?,?)");
  bind(s, 1, new_guid());
  bind(s, 2, activityid);
  bind(s, 3, std::int64_t{mask});
  bind(s, 4, partyid.empty() ? SqlValue{nullptr} : SqlValue{partyid});
  bind(s, 5, partytype.empty() ? SqlValue{nullptr} : SqlValue{partytype});
  bind(s, 6, addressused.empty() ? SqlValue{nullptr} : SqlValue{addressused});
  step_done(s);
}

json SimStore::parties_of(const std::string& activityid) {
  json out = json::array();
  for (auto& p : parties_where(activityid, "", {})) out.push_back(std::move(p));
  return out;
}

std::vector<json> SimStore::parties_where(const std::string& activityid, const std::string& where,
                                          const std::vector<SqlValue>& binds) {
  std::vector<json> out;
  if (generated_parties(activityid, where, binds, out)) return out;
  return parties_in("parties", activityid, where, binds);
}

std::vector<json> SimStore::parties_in(const std::string& table, const std::string& activityid,
                                       const std::string& where, const std::vector<SqlValue>& binds) {
  std::string sql =
      "SELECT activitypartyid, participationtypemask, partyid, partyobjecttype, addressused "
      "FROM " + table + " WHERE activityid = ?";
  if (!where.empty()) sql += " AND (" + where + ")";
  sql += " ORDER BY rowid";
  auto* s = prepare(sql);
  bind(s, 1, activityid);
  int i = 2;
  for (auto& v : binds) bind(s, i++, v);
  std::vector<json> out;
  auto nullable = [&](int i) -> json {
    return sqlite3_column_type(s, i) == SQLITE_NULL ? json(nullptr) : json(column_text(s, i));
  };
  while (sqlite3_step(s) == SQLITE_ROW)
    out.push_back({{"activitypartyid", column_text(s, 0)},
                   {"participationtypemask", sqlite3_column_int(s, 1)},
                   {"_partyid_value", nullable(2)},
                   {"partyobjecttype", nullable(3)},
                   {"addressused", nullable(4)}});
  sqlite3_reset(s);
  return out;
}

json SimStore::attachments_of(const std::string& activityid, bool with_body) {
  auto* s = prepare("SELECT data FROM attachments WHERE objectid = ? ORDER BY rowid");
  bind(s, 1, activityid);
  json out = json::array();
  while (sqlite3_step(s) == SQLITE_ROW) {
    json a = json::parse(column_text(s, 0));
    if (!with_body) a.erase("body");
    out.push_back(std::move(a));
  }
  sqlite3_reset(s);
  return out;
}

}  // namespace crmr::sim
