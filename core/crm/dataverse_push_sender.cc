// PushRun, the record of an unknown sender (routing.create_unknown_sender):
// looked up by its address once per push, created when the CRM has none,
// bound as the From party of every message that waits for it.
#include "core/base/crash_point.h"
#include "core/crm/dataverse_push_run.h"
#include "core/crm/dataverse_request.h"

namespace crmr::dataverse {

void PushRun::find_sender(const JobPtr& job) {
  const NewSender& n = *job->plan.new_sender;
  const std::string key = sender_key(n);
  Sender& s = senders_[key];
  if (!s.id.empty()) {
    job->notes.push_back("sender " + n.address + ": " + n.entity + " " + s.id + " (" + s.how +
                         " for an earlier message)");
    bind_sender(job->plan, s.id);
    return deliver(job);
  }
  s.waiting.push_back(job);
  if (s.busy) return;
  s.busy = true;
  HttpRequest req;
  req.url = sender_query(n.entity, n.address);
  req.label = n.entity + " lookup of " + n.address + " for " + job->plan.label;
  const std::string label = req.label;
  s_.send(std::move(req), true, [this, key, job, label](Result<HttpResponse> r) {
    if (!r) return sender_failed(key, as_later(r.error()));
    auto j = parse_json(r->body, label);
    if (!j) return sender_failed(key, j.error());
    const std::string field = job->plan.new_sender->entity + "id";
    const nlohmann::json* rows = j->is_object() && j->contains("value") ? &(*j)["value"] : nullptr;
    if (!rows || !rows->is_array())
      return sender_failed(key, Error{Code::CrmBadResponse, label + ": the CRM's answer has no \"value\" list",
                                      "", Scope::Message, Retry::Later});
    if (rows->empty()) return create_sender(key, job);
    const nlohmann::json& row = (*rows)[0];
    if (!row.is_object() || !row.contains(field) || !row[field].is_string())
      return sender_failed(key, Error{Code::CrmBadResponse, label + ": a found record without " + field, "",
                                      Scope::Message, Retry::Later});
    sender_ready(key, row[field].get<std::string>(), false);
  });
}

void PushRun::create_sender(const std::string& key, const JobPtr& job) {
  const NewSender& n = *job->plan.new_sender;
  HttpRequest req;
  req.method = "POST";
  req.url = entity_set(n.entity);
  req.label = "create of a " + n.entity + " for " + n.address + " (" + job->plan.label + ")";
  req.body = n.body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  req.fresh_connection = true;  // repeated by libcurl, it would make a second record
  const std::string label = req.label;
  crash_point("push_sender_before");
  // Not idempotent: a lost answer goes back to check, whose lookup finds it.
  s_.send(std::move(req), false, [this, key, job, label](Result<HttpResponse> r) {
    crash_point("push_sender_after");
    if (!r) return sender_failed(key, r.error());
    std::string id = id_from_entity_url(r->header("odata-entityid"));
    if (id.empty())
      return sender_failed(key, Error{Code::CrmBadResponse, label + ": no OData-EntityId for the new record", "",
                                      Scope::Message, Retry::Later});
    const NewSender& n = *job->plan.new_sender;
    CrmRecord made;
    made.entity = n.entity;
    made.id = id;
    made.name = n.body.value("firstname", std::string());
    made.name += (made.name.empty() ? "" : " ") + n.body.value("lastname", std::string());
    made.addresses = {n.address};
    job->created = std::move(made);
    sender_ready(key, id, true);
  });
}

void PushRun::sender_ready(const std::string& key, const std::string& id, bool created) {
  std::vector<JobPtr> waiting = std::move(senders_[key].waiting);
  senders_[key] = Sender{false, id, created ? "created" : "found in the CRM", {}};
  for (const JobPtr& job : waiting) {
    const NewSender& n = *job->plan.new_sender;
    job->notes.push_back("sender " + n.address + ": " + n.entity + " " + id +
                         (job->created ? " created (unknown sender)"
                          : created    ? " (created for an earlier message)"
                                       : " found in the CRM"));
    bind_sender(job->plan, id);
    deliver(job);
  }
}

void PushRun::sender_failed(const std::string& key, const Error& e) {
  std::vector<JobPtr> waiting = std::move(senders_[key].waiting);
  senders_.erase(key);
  for (const JobPtr& job : waiting) on_failure(job, e);
}

}  // namespace crmr::dataverse
