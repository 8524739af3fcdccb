// Store: what the cache holds as a whole (counts, organisation settings, when
// it was last refreshed), for the guard that refuses to route against a cache
// that cannot decide, for `check` and for the age warning of a run.
#include "storage/store_impl.h"

namespace crmr {
namespace {

constexpr char kHasOrg[] = "SELECT count(*) FROM org_settings";
constexpr char kCountByEntity[] =
    "SELECT entity, count(*), coalesce(sum(active <> 0), 0) FROM records GROUP BY entity";
// Users and queues only: a range of the (entity, id) index, however many
// contacts, accounts and leads there are.
constexpr char kCountRouting[] =
    "SELECT entity, count(*), coalesce(sum(active <> 0), 0) FROM records"
    " WHERE entity IN ('systemuser', 'queue') GROUP BY entity";
constexpr char kCountTracked[] = "SELECT count(*) FROM tracked_emails";
constexpr char kRefreshGet[] = "SELECT value FROM state WHERE key = ?1";
constexpr char kRefreshSet[] =
    "INSERT INTO state (key, value, updated_at)"
    " VALUES (?1, strftime('%Y-%m-%dT%H:%M:%SZ','now'), strftime('%Y-%m-%dT%H:%M:%SZ','now'))"
    " ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at";

constexpr char kImportedKey[] = "cache.imported_at";

Result<std::int64_t> count_of(db::Connection& conn, const char* sql) {
  auto q = conn.cached(sql);
  if (!q) return fail(q.error());
  auto row = (*q)->step();
  if (!row) return fail(row.error());
  return *row ? (*q)->column_int64(0) : 0;
}

Result<std::string> state_text(db::Connection& conn, const char* key) {
  auto q = conn.cached(kRefreshGet);
  if (!q) return fail(q.error());
  if (auto st = (*q)->bind(1, key); !st) return fail(st.error());
  auto row = (*q)->step();
  if (!row) return fail(row.error());
  return *row ? (*q)->column_text(0) : std::string();
}

}  // namespace

bool CacheInfo::can_decide() const {
  auto active_of = [&](const char* entity) {
    auto it = active.find(entity);
    return it == active.end() ? std::int64_t{0} : it->second;
  };
  return has_org && active_of("systemuser") + active_of("queue") > 0;
}

std::string CacheInfo::refreshed_at() const {
  return synced_at > imported_at ? synced_at : imported_at;  // ISO 8601 UTC sorts as text
}

Result<CacheInfo> Store::cache_info(CacheCounts what) const {
  CacheInfo info;
  info.database_exists = !impl_->file_missing;
  auto& conn = impl_->conn;
  auto orgs = count_of(conn, kHasOrg);
  if (!orgs) return fail(orgs.error());
  info.has_org = *orgs > 0;
  const bool all = what == CacheCounts::All;
  for (const char* e : {"systemuser", "queue", "contact", "account", "lead"})
    if (all || std::string_view(e) == "systemuser" || std::string_view(e) == "queue")
      info.count[e] = info.active[e] = 0;
  {
    auto q = conn.cached(all ? kCountByEntity : kCountRouting);
    if (!q) return fail(q.error());
    Status st = db::for_each_row(**q, [&](const db::Statement& row) -> Status {
      info.count[row.column_text(0)] = row.column_int64(1);
      info.active[row.column_text(0)] = row.column_int64(2);
      return {};
    });
    if (!st) return fail(st.error());
  }
  if (all) {
    auto tracked = count_of(conn, kCountTracked);
    if (!tracked) return fail(tracked.error());
    info.count[std::string(kTrackedEntity)] = *tracked;
  }
  auto synced = state_text(conn, kLastSyncKey);
  if (!synced) return fail(synced.error());
  info.synced_at = std::move(*synced);
  auto imported = state_text(conn, kImportedKey);
  if (!imported) return fail(imported.error());
  info.imported_at = std::move(*imported);
  return info;
}

Status Store::note_cache_refresh(CacheRefresh how) {
  if (auto st = impl_->writable("record when the cache was refreshed"); !st) return st;
  auto q = impl_->conn.cached(kRefreshSet);
  if (!q) return fail(q.error());
  Status st = (*q)->bind(1, how == CacheRefresh::Sync ? kLastSyncKey : kImportedKey);
  if (st) st = (*q)->run();
  return st;
}

}  // namespace crmr
