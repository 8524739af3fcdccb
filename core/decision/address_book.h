// AddressBook: the decision's view of CRM records by e-mail address, memoised
// for the lifetime of one decide() call (each address is looked up in the cache
// once, however many rules ask). Borrows the CacheView; owns only its memo.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/cache_view.h"

namespace crmr {

class AddressBook {
 public:
  explicit AddressBook(const CacheView& cache) : cache_(cache) {}

  // Every record with this address (active or not); the address is normalised here.
  const std::vector<RecordRef>& all(std::string_view address) const;

  // Active records with this address in resolution order: systemuser, contact,
  // account, lead, queue, then other entities by name; the cache's order within
  // one entity is kept.
  std::vector<RecordRef> active(std::string_view address) const;

 private:
  const CacheView& cache_;
  mutable std::map<std::string, std::vector<RecordRef>, std::less<>> memo_;
};

// Position of an entity in the resolution order (lower resolves first).
int entity_rank(std::string_view entity);

// True for an addr-spec with text on both sides of an '@'.
bool usable_address(std::string_view address);

// 'systemuser "Bob Smith" {guid}' for step details.
std::string describe(const RecordRef& record);

// "a, b and c" for step details.
std::string join_words(const std::vector<std::string>& words);

}  // namespace crmr
