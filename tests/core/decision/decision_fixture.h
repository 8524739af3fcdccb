// Test doubles for the decision: an in-memory CacheView and message builders.
// The in-memory cache answers exactly as CacheView documents (addresses and
// tokens normalised, every record active or not), so the tests specify decide()
// without SQLite.
#pragma once

#include <algorithm>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/cache_view.h"
#include "core/decision/decision.h"
#include "core/message.h"
#include "core/base/normalize.h"

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

// Builder of a TrackedEmail: Tracked("act-1").message_id("p@x").outgoing(true).
class Tracked {
 public:
  explicit Tracked(std::string activity_id) { t_.activity_id = std::move(activity_id); }
  Tracked& message_id(std::string v) { t_.message_id = std::move(v); return *this; }
  Tracked& tracking_token(std::string v) { t_.tracking_token = std::move(v); return *this; }
  Tracked& conversation_index(std::string v) {
    t_.conversation_index = std::move(v);
    return *this;
  }
  Tracked& subject(std::string v) { t_.subject = std::move(v); return *this; }
  Tracked& outgoing(bool v) { t_.outgoing = v; return *this; }
  Tracked& regarding_entity(std::string v) { t_.regarding_entity = std::move(v); return *this; }
  Tracked& regarding_id(std::string v) { t_.regarding_id = std::move(v); return *this; }
  Tracked& recipients(std::vector<std::string> v) { t_.recipients = std::move(v); return *this; }
  operator TrackedEmail() const { return t_; }

 private:
  TrackedEmail t_;
};

inline Address addr(const std::string& address, const std::string& name = "") {
  return Address{name, address};
}

// A plain message from `from` to `to` with a subject and a Message-ID.
inline Message mail(const std::string& from, std::vector<std::string> to,
                    const std::string& subject = "Hello",
                    const std::string& message_id = "m1@customer.example") {
  Message m;
  m.message_id = message_id;
  m.subject = subject;
  if (!from.empty()) m.from.push_back(addr(from));
  for (auto& t : to) m.to.push_back(addr(t));
  return m;
}

// A Thread-Index whose conversation part is 22 bytes of `seed` plus a child block.
inline std::string thread_index(char seed, char child = 'c') {
  return base64_encode(std::string(22, seed) + std::string(5, child));
}

inline const Step* find_step(const Decision& d, const std::string& rule) {
  for (const auto& s : d.steps)
    if (s.rule == rule) return &s;
  return nullptr;
}

inline std::vector<std::string> rules(const Decision& d) {
  std::vector<std::string> out;
  for (const auto& s : d.steps) out.push_back(s.rule);
  return out;
}

inline bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace crmr::test
