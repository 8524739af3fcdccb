// The entity sets the simulator serves: Web API set name, logical name, the
// SQLite table that holds them, and the primary key field.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace crmr::sim {

struct EntityInfo {
  const char* set;      // "contacts"
  const char* logical;  // "contact"
  const char* table;    // "contacts"
  const char* key;      // "contactid"
};

const std::vector<EntityInfo>& entities();
const EntityInfo* entity_by_set(std::string_view set);
const EntityInfo* entity_by_logical(std::string_view logical);

// Entities a party may bind to (partyid_<logical>) and a regarding may bind to.
bool is_party_entity(std::string_view logical);
bool is_regarding_entity(std::string_view logical);

// Whether `field` is a column of the e-mail table as the Web API names it
// (the e-mail table/entity reference; lookups as _name_value). Dataverse
// answers a $select of anything else with 400 0x80060888, e.g. for
// `ccrecipients`, which is not a column (Cc is the party list only).
bool is_email_column(std::string_view field);

// Columns of a table other than the JSON document (SQL-usable names).
std::vector<std::string> extra_columns(const EntityInfo& entity);

}  // namespace crmr::sim
