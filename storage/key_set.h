// KeySet: a set of message keys on disk (a private temporary SQLite database,
// deleted when closed), so a dry run over millions of messages remembers the
// keys it has seen in constant memory.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"
#include "core/seen_keys.h"

namespace crmr {

class KeySet final : public SeenKeys {
 public:
  static Result<std::unique_ptr<KeySet>> open_temporary();
  ~KeySet() override;
  KeySet(const KeySet&) = delete;
  KeySet& operator=(const KeySet&) = delete;

  Status insert(std::string_view key) override;
  Result<bool> find(std::string_view key) const override;  // an Error when the lookup fails

  struct Impl;

 private:
  explicit KeySet(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace crmr
