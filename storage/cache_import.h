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
  std::vector<std::string> errors;               // "FILE:LINE: problem", the first 1000 bad lines
  std::int64_t bad_lines = 0;                    // all bad lines, listed or not
};

// Rows per transaction unless told otherwise: each commit is a checkpoint. A
// crash or kill midway leaves the cache as it was after the last commit
// (every record whole); importing the file again completes it (rows are upserts).
inline constexpr std::int64_t kCacheImportBatch = 50000;

// The file is read a block at a time (memory does not grow with it) and
// written in transactions of `batch_rows` rows (0: kCacheImportBatch). Errors
// with Scope::Run when the file cannot be read or the store fails (the open
// batch is rolled back, committed ones stay); bad lines are listed in
// `errors` and the rest is imported. `csv_entity` is required for CSV (the
// entity every row is).
Result<CacheImportResult> import_cache_file(Store& store, const std::string& path,
                                            CacheFileFormat format,
                                            const std::string& csv_entity,
                                            std::int64_t batch_rows = 0);

}  // namespace crmr
