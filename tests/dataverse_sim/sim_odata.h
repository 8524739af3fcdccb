// OData query options as the simulator understands them: $filter translated
// to SQL over an entity's table, $select lists, OData string literals, and the
// projection of a stored document into an answer row.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "sim_entities.h"
#include "sim_store.h"
#include "sim_types.h"

namespace crmr::sim {

struct SqlFilter {
  std::string where;  // empty: no filter
  std::vector<SqlValue> binds;
};

// $filter: comparisons (eq ne gt ge lt le) of a field with a literal ('text'
// with '' doubling, numbers, true/false/null, GUIDs, ISO date-times), and/or/
// not, parentheses, contains/startswith/endswith. Text compares without case
// (as Dataverse's default collation does). Errors: 400 kBadQuery.
SimResult<SqlFilter> parse_filter(const EntityInfo& entity, std::string_view text);

// "$select=a,b" -> {"a","b"}; empty text -> {} (all fields).
std::vector<std::string> parse_select(std::string_view text);

// An OData string literal 'it''s' -> it's; nullopt when not a quoted literal.
std::optional<std::string> parse_string_literal(std::string_view text);

// The answer row for a stored document: @odata.etag, the selected fields (all
// when `select` is empty) and always the key; lookup annotations only when
// `annotations` (Prefer: odata.include-annotations).
json project(const EntityInfo& entity, const json& data, const std::vector<std::string>& select,
             bool annotations);

}  // namespace crmr::sim
