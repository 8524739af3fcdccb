// MemoryCache: an in-memory CacheView that answers exactly as CacheView
// documents (addresses and tokens normalised, every record active or not), for
// the decision's tests and the engine's (no SQLite). Its `ledger` is the set
// tests/support/memory_ports.h's MemoryJournal records into.
#pragma once

#include <algorithm>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/base/normalize.h"
#include "core/cache_view.h"

namespace crmr::test {

class MemoryCache : public CacheView {
 public:
  OrgSettings settings;
  std::vector<std::pair<std::string, RecordRef>> records;  // normalised address, record
  std::vector<TrackedEmail> tracked;
  std::set<std::string> ledger;
  mutable int address_lookups = 0;

  MemoryCache& record(const std::string& address, const std::string& entity,
                      const std::string& id, const std::string& name = "", bool active = true,
                      int filtering_method = -1) {
    records.push_back(
        {normalize_address(address), RecordRef{entity, id, name, active, filtering_method}});
    return *this;
  }
  MemoryCache& user(const std::string& address, const std::string& id, int method,
                    bool active = true) {
    return record(address, "systemuser", id, "User " + id, active, method);
  }
  MemoryCache& queue(const std::string& address, const std::string& id, int method,
                     bool active = true) {
    return record(address, "queue", id, "Queue " + id, active, method);
  }

  OrgSettings org() const override { return settings; }
  std::vector<RecordRef> records_by_address(std::string_view address) const override {
    ++address_lookups;
    std::vector<RecordRef> out;
    for (const auto& [a, r] : records)
      if (a == address) out.push_back(r);
    return out;
  }
  std::optional<TrackedEmail> tracked_by_message_id(std::string_view id) const override {
    for (const auto& t : tracked)
      if (!t.message_id.empty() && t.message_id == id) return t;
    return std::nullopt;
  }
  std::optional<TrackedEmail> tracked_by_token(std::string_view token) const override {
    for (const auto& t : tracked)
      if (!t.tracking_token.empty() && normalize_token(t.tracking_token) == token) return t;
    return std::nullopt;
  }
  std::optional<TrackedEmail> tracked_by_conversation(std::string_view key) const override {
    for (const auto& t : tracked)
      if (auto k = conversation_key(t.conversation_index); k && *k == key) return t;
    return std::nullopt;
  }
  std::vector<TrackedEmail> tracked_by_subject_hashes(
      const std::vector<std::int32_t>& hashes) const override {
    std::vector<TrackedEmail> out;
    for (const auto& t : tracked) {
      auto mine = subject_hashes(t.subject, settings.hash_filter_keywords,
                                 settings.hash_max_count);
      if (std::any_of(mine.begin(), mine.end(), [&](std::int32_t h) {
            return std::find(hashes.begin(), hashes.end(), h) != hashes.end();
          }))
        out.push_back(t);
    }
    return out;
  }
  bool ledger_has(std::string_view key) const override {
    return ledger.count(std::string(key)) > 0;
  }
};

}  // namespace crmr::test
