// CacheViewDecorator: a CacheView that hands every question to another one,
// the base of views that change one answer (a run's memory of the keys it
// decided, explain's ledger that is not consulted). It borrows `base`, which
// must outlive it.
#pragma once

#include "core/cache_view.h"

namespace crmr {

class CacheViewDecorator : public CacheView {
 public:
  explicit CacheViewDecorator(const CacheView& base) : base_(base) {}
  OrgSettings org() const override { return base_.org(); }
  std::vector<RecordRef> records_by_address(std::string_view address) const override {
    return base_.records_by_address(address);
  }
  std::optional<TrackedEmail> tracked_by_message_id(std::string_view id) const override {
    return base_.tracked_by_message_id(id);
  }
  std::optional<TrackedEmail> tracked_by_token(std::string_view token) const override {
    return base_.tracked_by_token(token);
  }
  std::optional<TrackedEmail> tracked_by_conversation(std::string_view key) const override {
    return base_.tracked_by_conversation(key);
  }
  std::vector<TrackedEmail> tracked_by_subject_hashes(
      const std::vector<std::int32_t>& hashes) const override {
    return base_.tracked_by_subject_hashes(hashes);
  }
  bool ledger_has(std::string_view key) const override { return base_.ledger_has(key); }
  // The base's sticky lookup status: a failure below is a failure here.
  Status status() const override { return base_.status(); }

 protected:
  const CacheView& base() const { return base_; }

 private:
  const CacheView& base_;
};

}  // namespace crmr
