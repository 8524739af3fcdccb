// fuzz_cache_import: the first byte picks the format (auto, JSON Lines, CSV)
// and the CSV entity, the rest is the file imported into a fresh in-memory
// Store; afterwards the cache is read back once.
#include <cstdlib>

#include "fuzz_targets.h"
#include "fuzz_temp_file.h"
#include "storage/cache_import.h"
#include "storage/store.h"

namespace crmr::fuzz {

void run_cache_import(std::string_view data) {
  InputReader in(data);
  const unsigned char control = in.byte();
  static const CacheFileFormat kFormats[] = {CacheFileFormat::Auto, CacheFileFormat::JsonLines,
                                             CacheFileFormat::Csv, CacheFileFormat::Auto};
  static const char* const kEntities[] = {"contact", "account", "lead",        "systemuser",
                                          "queue",   "email",   "organization", ""};
  auto store = Store::open(":memory:", OpenMode::ReadWrite);
  if (!store) std::abort();  // an in-memory database always opens
  const auto& path = write_temp_file(in.rest(), ".import");
  (void)import_cache_file(**store, path, kFormats[control & 3], kEntities[(control >> 2) & 7]);
  (void)(*store)->org();
  (void)(*store)->records_by_address("a@example.com");
}

}  // namespace crmr::fuzz
