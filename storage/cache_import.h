// `cache import FILE`: load CRM records from JSON Lines (one record per line,
// Dataverse field names plus "entity") or CSV (header row, one entity per file).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/result.h"
#include "storage/store.h"

namespace crmr {

enum class CacheFileFormat { Auto, JsonLines, Csv };

struct CacheImportResult {
  std::map<std::string, std::int64_t> imported;  // entity -> rows upserted
  std::vector<std::string> errors;               // "FILE:LINE: problem", one per bad line
};

// Errors with Scope::Run only when the file cannot be read at all; bad lines
// are listed in `errors` and the rest is imported. `csv_entity` is required
// for CSV (the entity every row is).
Result<CacheImportResult> import_cache_file(Store& store, const std::string& path,
                                            CacheFileFormat format,
                                            const std::string& csv_entity);

}  // namespace crmr
