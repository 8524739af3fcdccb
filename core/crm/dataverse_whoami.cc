// What `check` asks of the CRM: a token, and WhoAmI (GET WhoAmI, answering
// UserId, BusinessUnitId, OrganizationId) as one authenticated read.
#include "core/crm/dataverse_request.h"
#include "core/crm/dataverse_sink.h"

namespace crmr::dataverse {

Status DataverseReader::authenticate() { return s_.authenticate(); }

Result<CrmIdentity> DataverseReader::who_am_i() {
  HttpRequest req;
  req.url = "WhoAmI";
  req.label = "WhoAmI";
  auto r = s_.send_now(std::move(req));
  if (!r) return std::unexpected(r.error());
  auto j = parse_json(r->body, "WhoAmI");
  if (!j) return std::unexpected(j.error());
  auto text = [&](const char* key) {
    auto it = j->find(key);
    return it != j->end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  CrmIdentity id{text("UserId"), text("BusinessUnitId"), text("OrganizationId")};
  if (id.user_id.empty())
    return fail(Code::CrmBadResponse, "WhoAmI: the CRM's answer has no UserId", Scope::Run, Retry::Later);
  return id;
}

}  // namespace crmr::dataverse
