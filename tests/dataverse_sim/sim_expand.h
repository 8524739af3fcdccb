// $expand as the simulator serves it: on e-mails, the collection-valued
// navigation property email_activity_parties with $select and $filter inside
// (single level: no paging of the expanded rows, as Dataverse does for a
// single $expand). Anything else is refused with 400 0x80060888.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "sim_odata.h"

namespace crmr::sim {

struct PartiesExpand {
  bool on = false;                  // email_activity_parties was asked for
  std::vector<std::string> select;  // empty: every party field
  SqlFilter filter;                 // over the parties table's columns
};

// Parses the $expand option of a query on `entity` ("" -> not on).
SimResult<PartiesExpand> parse_expand(const EntityInfo& entity, std::string_view text);

// The expanded party rows of e-mail `activityid` (a JSON array).
json expand_parties(SimStore& store, const PartiesExpand& x, const std::string& activityid);

}  // namespace crmr::sim
