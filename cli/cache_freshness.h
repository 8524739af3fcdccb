// The cache's freshness as `check` and `status` show it: when the last sync
// of every entity succeeded (its age), and the last sync failure if one
// happened after it (state keys kLastSyncKey / kLastSyncErrorKey).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/result.h"
#include "storage/store.h"

namespace crmr {

struct CacheFreshness {
  std::string last_sync;             // UTC ISO 8601; empty: never synced
  std::optional<std::int64_t> age_s; // seconds since last_sync
  std::string failed_at;             // the last failed sync, if after the last success
  std::string error;                 // ...and its error
};

Result<CacheFreshness> cache_freshness(const Store& store);

// "3 h 12 min", "2 d 4 h", "40 s".
std::string age_text(std::int64_t seconds);

// One line: "last synced 2026-12-07T02:50:00Z (3 min ago)" or "never synced".
std::string freshness_text(const CacheFreshness& f);

}  // namespace crmr
