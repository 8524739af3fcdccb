// PushRun, server mode: CheckIncomingEmail asks the CRM whether it takes the
// message (and why), DeliverIncomingEmail creates it.
#include "core/crm/dataverse_push_run.h"
#include "core/crm/dataverse_request.h"

namespace crmr {

const char* incoming_reason_name(int code) {
  switch (code) {
    case -1: return "Unknown";
    case 0: return "Duplicate";
    case 1: return "NoCorrelationMatch";
    case 2: return "CorrelationMatch";
    case 3: return "NoRecipientMatch";
    case 4: return "InternalEmailReject";
    case 5: return "SenderMatch";
    case 6: return "AcceptAll";
    case 7: return "InvalidSender";
    default: return "Unknown";
  }
}

namespace dataverse {

void PushRun::check_incoming(const JobPtr& job) {
  HttpRequest req;
  req.url = check_incoming_url(job->plan);
  req.label = "CheckIncomingEmail of " + job->plan.label;
  s_.send(std::move(req), true, [this, job](Result<HttpResponse> r) {
    if (!r) return finish(job, std::unexpected(as_later(r.error())));
    auto j = parse_json(r->body, "CheckIncomingEmail of " + job->plan.label);
    if (!j) return finish(job, std::unexpected(j.error()));
    bool deliver = j->is_object() && j->value("ShouldDeliver", false);
    int code = j->is_object() && (*j).contains("ReasonCode") && (*j)["ReasonCode"].is_number_integer()
                   ? (*j)["ReasonCode"].get<int>() : -1;
    std::string reason = incoming_reason_name(code);
    if (!deliver)
      return finish(job, fail(Code::CrmDeclined, job->plan.label + ": the CRM declined delivery: " + reason,
                              Scope::Message, Retry::Never,
                              "server mode: the CRM's own rules decided; `quarantine retry` sends it again"));
    deliver_incoming(job, reason);
  });
}

void PushRun::deliver_incoming(const JobPtr& job, const std::string& reason) {
  HttpRequest req;
  req.method = "POST";
  req.url = "emails/Microsoft.Dynamics.CRM.DeliverIncomingEmail";
  req.label = "DeliverIncomingEmail of " + job->plan.label;
  req.body = deliver_incoming_body(job->plan).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  req.fresh_connection = true;  // a second delivery would create a second e-mail
  s_.send(std::move(req), false, [this, job, reason](Result<HttpResponse> r) {
    if (!r) return on_failure(job, r.error());
    std::string id = id_from_entity_url(r->header("odata-entityid"));
    if (id.empty() && !r->body.empty()) {
      auto j = parse_json(r->body, "DeliverIncomingEmail of " + job->plan.label);
      if (!j) return finish(job, std::unexpected(j.error()));
      for (const char* key : {"activityid", "EmailId", "emailid"})
        if (j->is_object() && j->contains(key) && (*j)[key].is_string()) id = (*j)[key].get<std::string>();
    }
    if (id.empty())
      return finish(job, fail(Code::CrmBadResponse, "DeliverIncomingEmail of " + job->plan.label +
                              ": no id of the created e-mail in the answer", Scope::Message, Retry::Later));
    PushResult pr;
    pr.activity_id = id;
    pr.reason = reason;
    land(job, std::move(pr), true);
  });
}

}  // namespace dataverse
}  // namespace crmr
