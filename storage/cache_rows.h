// One cache row (Dataverse field names) applied to the
// Store: organization settings, users, queues, contacts, accounts, leads and
// tracked e-mails. Used by cache import; the same field names come from sync.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "core/result.h"
#include "storage/store.h"

namespace crmr {

// True for the entities a cache row may be.
bool is_cache_entity(std::string_view entity);
// "organization, systemuser, ..." for messages.
const char* cache_entity_list();

// Upserts `row` (a JSON object; fields absent or null take their defaults) as
// `entity`. A problem with the row (missing id, wrong type) is an Error with
// Scope::Message whose message reads "statecode: expected an integer, got
// \"abc\""; a store failure keeps its own scope. May throw
// nlohmann::json::exception (the caller is the firewall).
Status apply_cache_row(Store& store, const std::string& entity, const nlohmann::json& row);

}  // namespace crmr
