// CacheReader: a read-only connection to the cache of its own, for one worker
// thread of the pipeline (never used by two threads at once). Its lookups are
// read in snapshots: begin() opens one, commit() lets it go. Implemented by
// storage's Store opened read-only.
#pragma once

#include "core/cache_view.h"
#include "core/result.h"

namespace crmr {

class CacheReader : public CacheView {
 public:
  // Opens a read snapshot (without one each lookup takes its own lock).
  virtual Status begin() = 0;
  // Ends it.
  virtual Status commit() = 0;
};

}  // namespace crmr
