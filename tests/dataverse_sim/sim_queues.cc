// Queues and record creation rules as the Web API has them: `queueitems`
// creates, the bound action AddToQueue, and the unbound action
// ApplyRecordCreationAndUpdateRule with the organisation's active
// `convertrules`.
//
// Where the docs are silent the simulator takes the reading that tests a
// client hardest: a second AddToQueue or queueitems create for an e-mail
// already in that queue makes a second queue item (so only a client that looks
// first stays at one). A rule (convertrule, statecode 1 = active, with a
// queueid) turns an incoming e-mail that has an item in the rule's queue, no
// regarding record yet, and a contact or account as its sender into an
// incident for that customer, and sets the e-mail's regarding to it; an
// e-mail that already has a regarding record is left alone, so a rerun makes
// no second case.
#include "sim_api.h"

namespace crmr::sim {
namespace {

// The e-mail id of an action's {"Target": {"activityid", "@odata.type"}}.
SimResult<std::string> email_target(const json& body, const char* action) {
  auto it = body.find("Target");
  if (it == body.end() || !it->is_object())
    return sim_fail(400, codes::kInvalidArgument, std::string(action) + ": the parameter Target is required");
  const std::string type = it->value("@odata.type", std::string());
  if (!type.empty() && type != "Microsoft.Dynamics.CRM.email")
    return sim_fail(400, codes::kInvalidArgument,
                    std::string(action) + ": the simulator takes e-mails only, not " + type);
  const std::string id = it->value("activityid", std::string());
  if (!is_guid(id))
    return sim_fail(400, codes::kInvalidArgument, std::string(action) + ": Target.activityid must be a GUID");
  return lower(id);
}

}  // namespace

std::string Api::put_queue_item(const std::string& queue_id, const std::string& email_id) {
  const auto email = store_.get(*entity_by_set("emails"), email_id);
  const std::string id = new_guid();
  store_.put(*entity_by_set("queueitems"), id,
             {{"_queueid_value", queue_id},
              {"_queueid_value@Microsoft.Dynamics.CRM.lookuplogicalname", "queue"},
              {"_objectid_value", email_id},
              {"_objectid_value@Microsoft.Dynamics.CRM.lookuplogicalname", "email"},
              {"objecttypecode", "email"},
              {"title", email ? email->value("subject", json("")) : json("")},
              {"statecode", 0},
              {"statuscode", 1}});
  ++queue_items_;
  return id;
}

SimResult<SimResponse> Api::create_queue_item(const SimRequest& r) {
  auto body = parse_body(r);
  if (!body) return std::unexpected(body.error());
  std::string queue, email;
  for (auto& [k, v] : body->items()) {
    if (k == "queueid@odata.bind" || k == "objectid_email@odata.bind") {
      auto ref = resolve_bind(k, v, k.starts_with("queueid") ? "queue" : "email");
      if (!ref) return std::unexpected(ref.error());
      (k.starts_with("queueid") ? queue : email) = ref->second;
    } else if (k.ends_with("@odata.bind")) {
      return sim_fail(400, codes::kBadQuery,
                      "queueitems: the simulator binds queueid and objectid_email only, not '" + k + "'");
    } else if (k != "title" && k != "priority" && k.find('@') == std::string::npos) {
      return sim_fail(400, codes::kBadQuery,
                      "Invalid property '" + k + "' was found in entity 'Microsoft.Dynamics.CRM.queueitem'.");
    }
  }
  if (queue.empty() || email.empty())
    return sim_fail(400, codes::kInvalidArgument, "a queue item needs queueid and objectid binds");
  return created(*entity_by_set("queueitems"), put_queue_item(queue, email), r);
}

SimResult<SimResponse> Api::add_to_queue(const std::string& queue_id, const SimRequest& r) {
  if (r.method != "POST") return sim_fail(405, codes::kBadQuery, "AddToQueue is an action (POST)");
  if (!store_.exists(*entity_by_set("queues"), queue_id))
    return sim_fail(404, codes::kDoesNotExist, "queue With Id = " + queue_id + " Does Not Exist");
  auto body = parse_body(r);
  if (!body) return std::unexpected(body.error());
  auto email = email_target(*body, "AddToQueue");
  if (!email) return std::unexpected(email.error());
  if (!store_.exists(*entity_by_set("emails"), *email)) return std::unexpected(missing("email", *email));
  // SourceQueue: a move, the item leaves that queue.
  if (auto src = body->find("SourceQueue"); src != body->end() && src->is_object()) {
    const std::string from = lower(src->value("queueid", std::string()));
    for (auto& row : store_.select(*entity_by_set("queueitems"),
                                   "json_extract(data,'$._objectid_value') = ? AND "
                                   "json_extract(data,'$._queueid_value') = ?",
                                   {*email, from}, 0, 0, -1))
      store_.remove(*entity_by_set("queueitems"), row.data.value("queueitemid", std::string()));
  }
  const std::string item = put_queue_item(queue_id, *email);
  return json_response(200, {{"@odata.context", r.base_url + "$metadata#Microsoft.Dynamics.CRM.AddToQueueResponse"},
                             {"QueueItemId", item}});
}

SimResult<SimResponse> Api::apply_record_rules(const SimRequest& r) {
  auto body = parse_body(r);
  if (!body) return std::unexpected(body.error());
  auto email_id = email_target(*body, "ApplyRecordCreationAndUpdateRule");
  if (!email_id) return std::unexpected(email_id.error());
  const EntityInfo& emails = *entity_by_set("emails");
  auto email = store_.get(emails, *email_id);
  if (!email) return std::unexpected(missing("email", *email_id));
  ++rules_applied_;
  const bool incoming = (*email)["directioncode"].is_boolean() && !(*email)["directioncode"].get<bool>();
  const bool has_regarding = email->contains("_regardingobjectid_value") && !(*email)["_regardingobjectid_value"].is_null();
  if (!incoming || has_regarding) return SimResponse(empty_response(204));
  auto sender = store_.parties_where(*email_id, "participationtypemask = 1 AND partyobjecttype IN ('contact','account')", {});
  if (sender.empty()) return SimResponse(empty_response(204));
  for (auto& rule : store_.select(*entity_by_set("convertrules"), "", {}, 0, 0, -1)) {
    if (rule.data.value("statecode", 0) != 1) continue;
    std::string queue = lower(rule.data.value("_queueid_value", rule.data.value("queueid", std::string())));
    if (queue.empty()) continue;
    auto items = store_.select(*entity_by_set("queueitems"),
                               "json_extract(data,'$._objectid_value') = ? AND json_extract(data,'$._queueid_value') = ?",
                               {*email_id, queue}, 0, 0, 1);
    if (items.empty()) continue;
    const std::string customer = sender[0]["_partyid_value"].get<std::string>();
    const std::string type = sender[0]["partyobjecttype"].get<std::string>();
    const std::string incident = new_guid();
    store_.put(*entity_by_set("incidents"), incident,
               {{"title", email->value("subject", std::string("E-mail"))},
                {"_customerid_value", customer},
                {"_customerid_value@Microsoft.Dynamics.CRM.lookuplogicalname", type},
                {"caseorigincode", 2},  // E-mail
                {"_msdyn_convertruleid_value", rule.data.value("convertruleid", std::string())},
                {"statecode", 0},
                {"statuscode", 1}});
    (*email)["_regardingobjectid_value"] = incident;
    (*email)["_regardingobjectid_value@Microsoft.Dynamics.CRM.lookuplogicalname"] = "incident";
    store_.put(emails, *email_id, std::move(*email));
    ++cases_created_;
    break;
  }
  return SimResponse(empty_response(204));
}

}  // namespace crmr::sim
