// SeenKeys: a set of keys or ids a run remembers (a dry run's message keys,
// the ids a sync's full read returned), which may grow past memory: storage's
// KeySet keeps it on disk. Not thread-safe.
#pragma once

#include <functional>
#include <memory>
#include <string_view>

#include "core/result.h"

namespace crmr {

class SeenKeys {
 public:
  virtual ~SeenKeys() = default;
  virtual Status insert(std::string_view key) = 0;
  virtual Result<bool> find(std::string_view key) const = 0;  // an Error when the lookup fails

  // find() for callers that treat a failed lookup as "not seen".
  bool contains(std::string_view key) const {
    auto r = find(key);
    return r && *r;
  }
};

// Makes an empty set (called once, when the first key is remembered).
using OpenSeenKeys = std::function<Result<std::unique_ptr<SeenKeys>>()>;

}  // namespace crmr
