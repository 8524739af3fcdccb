// fuzz_webapi: the Dataverse Web API's answers as the client reads them. The
// first line is a Content-Type (for $batch) or a URL (OData-EntityId), the
// rest a response body.
#include "core/crm/dataverse_request.h"
#include "core/crm/dataverse_duplicate_lookup.h"
#include "fuzz_targets.h"

namespace crmr::fuzz {

void run_webapi(std::string_view data) {
  using namespace crmr::dataverse;
  InputReader in(data);
  const std::string_view head = in.until('\n');
  const std::string_view body = in.rest();

  if (auto parts = parse_batch_response(head, body, "fuzz $batch")) {
    for (const auto& p : *parts) {
      (void)p.header("content-type");
      (void)error_text(p.body);
      (void)id_from_entity_url(p.header("odata-entityid"));
    }
  }
  (void)content_type_param(head, "boundary");
  (void)error_text(body);
  (void)error_text(data);
  (void)id_from_entity_url(head);
  (void)parse_token(body);
  (void)parse_json(body, "fuzz");
  HttpResponse resp;
  resp.status = 200;
  resp.body = std::string(body);
  (void)parse_found_id(resp, "fuzz duplicate check");
}

}  // namespace crmr::fuzz
