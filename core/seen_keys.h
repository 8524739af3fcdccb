// SeenKeys: a set of keys a run remembers (a dry run's message keys), which
// may grow past memory: storage's KeySet keeps it on disk. Not thread-safe.
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
  virtual bool contains(std::string_view key) const = 0;  // false also when the lookup fails
};

// Makes an empty set (called once, when the first key is remembered).
using OpenSeenKeys = std::function<Result<std::unique_ptr<SeenKeys>>()>;

}  // namespace crmr
