// The cache as the routing commands and `check` see it. Routing (`import`,
// `run`, `quarantine retry`, dry runs too) never starts against a cache that
// cannot decide: without organisation settings or an active system user or
// queue every message would be tossed, recorded as such in the ledger and
// disposed of on the server. `check` shows what the cache holds and how old
// it is; a run against a cache older than [cache] max_age_hours warns.
#pragma once

#include <expected>
#include <string>
#include <string_view>

#include "cli/context.h"
#include "storage/store.h"

namespace crmr {

// The guard of the routing commands, called before anything is read. When
// the cache cannot decide (or cannot be read) prints why and what to do, and
// returns the exit code (kExitCacheNotReady, or that of the storage error);
// a real (not dry) run is then listed in the history as failed with why, so
// `report --list` and `status` show a refused cron run. Otherwise returns the age warning (empty when the cache is fresh enough),
// already logged, for the run's summary.
std::expected<std::string, int> guard_routing(Context& ctx, Store& store,
                                              std::string_view command);

// `check`'s cache part: counts per entity, organisation settings, when the
// cache was last synced and imported, a warning when it is older than
// [cache] max_age_hours. Returns kExitOk, kExitCacheNotReady when it cannot
// decide (the next run would refuse), or the exit code of a storage error.
int check_cache(Context& ctx, const Store& store);

}  // namespace crmr
