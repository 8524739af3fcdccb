// FailingCache: a CacheView that forwards to another one and fails its Nth
// lookup (counting every method but status()), the way a busy or broken
// database fails: "not found" for an answer, the error kept in a sticky
// status(). N = 0 never fails; lookups() counts them either way.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/cache_view.h"

namespace crmr::test {

class FailingCache final : public CacheView {
 public:
  FailingCache(const CacheView& base, int fail_at) : base_(base), fail_at_(fail_at) {}

  int lookups() const { return n_; }
  Status status() const override {
    if (failed_) return fail(*failed_);
    return base_.status();
  }

  OrgSettings org() const override {
    return hit() ? OrgSettings{} : base_.org();
  }
  std::vector<RecordRef> records_by_address(std::string_view a) const override {
    return hit() ? std::vector<RecordRef>{} : base_.records_by_address(a);
  }
  std::optional<TrackedEmail> tracked_by_message_id(std::string_view id) const override {
    return hit() ? std::nullopt : base_.tracked_by_message_id(id);
  }
  std::optional<TrackedEmail> tracked_by_token(std::string_view t) const override {
    return hit() ? std::nullopt : base_.tracked_by_token(t);
  }
  std::optional<TrackedEmail> tracked_by_conversation(std::string_view k) const override {
    return hit() ? std::nullopt : base_.tracked_by_conversation(k);
  }
  std::vector<TrackedEmail> tracked_by_subject_hashes(
      const std::vector<std::int32_t>& h) const override {
    return hit() ? std::vector<TrackedEmail>{} : base_.tracked_by_subject_hashes(h);
  }
  bool ledger_has(std::string_view key) const override {
    return hit() ? false : base_.ledger_has(key);
  }

 private:
  // Counts a lookup; true when it is the one to fail.
  bool hit() const {
    if (++n_ != fail_at_) return false;
    failed_ = Error{Code::StoreBusy, "state.db: running a lookup: database is locked",
                    "another crm-router process is using the database", Scope::Run, Retry::Later};
    return true;
  }

  const CacheView& base_;
  int fail_at_;
  mutable int n_ = 0;
  mutable std::optional<Error> failed_;
};

}  // namespace crmr::test
