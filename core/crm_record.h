// CrmRecord: one record of the CRM (a system user, queue, contact, account or
// lead) with its e-mail addresses, as sync reads it, as push creates it for an
// unknown sender, and as the cache stores it. A value type.
#pragma once

#include <string>
#include <vector>

namespace crmr {

struct CrmRecord {
  std::string entity;  // systemuser queue contact account lead
  std::string id;
  std::string name;
  bool active = true;
  int filtering_method = -1;           // systemuser: incomingemailfilteringmethod; -1 unknown
  std::vector<std::string> addresses;  // up to three, as given; the cache stores them normalised
};

}  // namespace crmr
