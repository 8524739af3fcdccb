#include "core/crm/dataverse_queue.h"

namespace crmr::dataverse {
namespace {

Error bad_response(const std::string& what, const std::string& why) {
  return Error{Code::CrmBadResponse, what + ": " + why, "", Scope::Message, Retry::Later};
}

}  // namespace

BatchRequest queue_item_create(const std::string& api_path, const std::string& queue_id,
                               const std::string& email_ref, std::string content_id) {
  return BatchRequest{"POST", api_path + "queueitems", std::move(content_id),
                      nlohmann::json{{"queueid@odata.bind", "/queues(" + queue_id + ")"},
                                     {"objectid_email@odata.bind", email_ref}}};
}

std::vector<QueueItemRef> queue_items_in_answer(const std::vector<BatchPart>& parts, const EmailPlan& p) {
  std::vector<QueueItemRef> out;
  for (const BatchPart& part : parts) {
    if (out.size() == p.queues.size()) break;
    std::string url = part.header("odata-entityid");
    if (url.find("/queueitems(") == std::string::npos) continue;
    const CrmRef& q = p.queues[out.size()];
    out.push_back(QueueItemRef{q.id, q.name, id_from_entity_url(url)});
  }
  return out;
}

std::string queue_item_query(const std::string& email_id, const std::string& queue_id) {
  return "queueitems?$select=queueitemid&$filter=" +
         url_encode("_objectid_value eq " + email_id + " and _queueid_value eq " + queue_id) + "&$top=1";
}

Result<std::optional<std::string>> parse_queue_item(const HttpResponse& resp, const std::string& what) {
  auto j = parse_json(resp.body, what);
  if (!j) return std::unexpected(j.error());
  if (!j->is_object() || !j->contains("value") || !(*j)["value"].is_array())
    return std::unexpected(bad_response(what, "the CRM's answer has no \"value\" list"));
  const auto& v = (*j)["value"];
  if (v.empty()) return std::optional<std::string>{};
  if (!v[0].is_object() || !v[0].contains("queueitemid") || !v[0]["queueitemid"].is_string())
    return std::unexpected(bad_response(what, "a found queue item without queueitemid"));
  return std::optional<std::string>{v[0]["queueitemid"].get<std::string>()};
}

std::string add_to_queue_url(const std::string& queue_id) {
  return "queues(" + queue_id + ")/Microsoft.Dynamics.CRM.AddToQueue";
}

Result<std::string> parse_add_to_queue(const HttpResponse& resp, const std::string& what) {
  auto j = parse_json(resp.body, what);
  if (!j) return std::unexpected(j.error());
  if (!j->is_object() || !j->contains("QueueItemId") || !(*j)["QueueItemId"].is_string())
    return std::unexpected(bad_response(what, "no QueueItemId in the answer"));
  return (*j)["QueueItemId"].get<std::string>();
}

std::string email_target_body(const std::string& email_id) {
  return nlohmann::json{{"Target", {{"activityid", email_id}, {"@odata.type", "Microsoft.Dynamics.CRM.email"}}}}
      .dump();
}

std::string regarding_query(const std::string& email_id) {
  return "emails(" + email_id + ")?$select=_regardingobjectid_value";
}

Result<std::string> parse_regarding(const HttpResponse& resp, const std::string& what) {
  auto j = parse_json(resp.body, what);
  if (!j) return std::unexpected(j.error());
  if (!j->is_object()) return std::unexpected(bad_response(what, "the answer is not a record"));
  auto it = j->find("_regardingobjectid_value");
  if (it == j->end() || it->is_null()) return std::string();
  if (!it->is_string()) return std::unexpected(bad_response(what, "_regardingobjectid_value is not an id"));
  return it->get<std::string>();
}

}  // namespace crmr::dataverse
