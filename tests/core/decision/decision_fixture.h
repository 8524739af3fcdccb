// Test doubles for the decision: the in-memory CacheView
// (tests/support/memory_cache.h) and message builders, so the tests specify
// decide() without SQLite.
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
#include "tests/support/memory_cache.h"

namespace crmr::test {

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
