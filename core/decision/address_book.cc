#include "core/decision/address_book.h"

#include <algorithm>
#include <array>

#include "core/base/normalize.h"

namespace crmr {

const std::vector<RecordRef>& AddressBook::all(std::string_view address) const {
  std::string key = normalize_address(address);
  auto it = memo_.find(key);
  if (it == memo_.end()) {
    auto records = key.empty() ? std::vector<RecordRef>{} : cache_.records_by_address(key);
    it = memo_.emplace(std::move(key), std::move(records)).first;
  }
  return it->second;
}

std::vector<RecordRef> AddressBook::active(std::string_view address) const {
  std::vector<RecordRef> out;
  for (const auto& r : all(address))
    if (r.active) out.push_back(r);
  std::stable_sort(out.begin(), out.end(), [](const RecordRef& a, const RecordRef& b) {
    int ra = entity_rank(a.entity), rb = entity_rank(b.entity);
    if (ra != rb) return ra < rb;
    return ra == 5 && a.entity < b.entity;  // other entities: by name
  });
  return out;
}

int entity_rank(std::string_view entity) {
  static constexpr std::array<std::string_view, 5> order{"systemuser", "contact", "account",
                                                         "lead", "queue"};
  for (std::size_t i = 0; i < order.size(); ++i)
    if (order[i] == entity) return static_cast<int>(i);
  return static_cast<int>(order.size());
}

bool usable_address(std::string_view written) {
  const std::string address = normalize_address(written);
  auto at = address.rfind('@');
  if (at == std::string::npos || at == 0 || at + 1 >= address.size()) return false;
  return address.find_first_of(" \t\r\n") == std::string::npos;
}

std::string describe(const RecordRef& record) {
  std::string out = record.entity;
  if (!record.name.empty()) out += " \"" + record.name + "\"";
  out += " {" + record.id + "}";
  return out;
}

std::string join_words(const std::vector<std::string>& words) {
  std::string out;
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (i > 0) out += (i + 1 == words.size()) ? " and " : ", ";
    out += words[i];
  }
  return out;
}

}  // namespace crmr
