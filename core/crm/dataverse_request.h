// Dataverse Web API requests and responses as plain text: OData literals and
// URL encoding, entity set names, the error body, OData-EntityId, the token
// answer, and the multipart $batch format (both directions). Pure functions,
// no I/O: the transport is dataverse_http.h.
//
// Failure: a response that is not what the Web API documents (invalid JSON, a
// malformed multipart body) is an Error "crm.bad_response" naming the request,
// Retry::Later: the message stays queued for the next run.
#pragma once

#include <nlohmann/json.hpp>

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"

namespace crmr::dataverse {

// 'value' with every single quote doubled: an OData string literal.
std::string odata_string(std::string_view value);
// Percent-encoding of everything but RFC 3986 unreserved characters.
std::string url_encode(std::string_view value);

// The entity set of a logical name: contact -> contacts, opportunity ->
// opportunities, systemuser -> systemusers, ...
std::string entity_set(std::string_view logical_name);

// "emails?$select=activityid&$filter=messageid%20eq%20'...'&$top=1" (relative
// to the API base URL).
std::string message_id_query(std::string_view message_id);

// Parse `body` as JSON; `what` names the request in the error.
Result<nlohmann::json> parse_json(std::string_view body, std::string_view what);

// Parse a collection page {"value": [...], "@odata.nextLink": ...} one row at a
// time: `row` gets each element of "value" as soon as it is parsed, and the
// element is dropped, so a page of 5,000 rows never stands in memory as one
// document (a page of tracked e-mails is about 4 MB of text, several times
// that as a document). Returns the page with an empty "value".
Result<nlohmann::json> parse_json_rows(std::string_view body, std::string_view what,
                                       const std::function<void(const nlohmann::json&)>& row);

// The error body {"error":{"code","message"}} as "code: message" (either part may
// be missing); for a body that is not such JSON, its start (at most 300 bytes).
std::string error_text(std::string_view body);

// The GUID in an OData-EntityId / Location URL ".../emails(<guid>)"; "" if none.
std::string id_from_entity_url(std::string_view url);

struct Token {
  std::string access_token;  // secret: never logged
  long expires_in_s = 3600;
};
Result<Token> parse_token(std::string_view body);

// One request inside a $batch.
struct BatchRequest {
  std::string method;   // POST, PATCH
  std::string url;      // path ("/api/data/v9.2/emails") or "$1"
  std::string content_id;
  nlohmann::json body;
};

// A $batch body with one change set holding `requests` in order. Returns the
// body; the request's Content-Type is "multipart/mixed; boundary=batch_<id>".
std::string batch_body(const std::vector<BatchRequest>& requests, std::string_view id);
std::string batch_content_type(std::string_view id);

// One answer inside a $batch response (change sets flattened, in order).
struct BatchPart {
  std::string content_id;
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // names lowercase
  std::string body;
  std::string header(std::string_view name) const;  // "" if absent
};

// Parse a multipart/mixed $batch response whose Content-Type is `content_type`.
Result<std::vector<BatchPart>> parse_batch_response(std::string_view content_type,
                                                    std::string_view body,
                                                    std::string_view what);

// The value of parameter `name` (e.g. "boundary") of a Content-Type; "" if absent.
std::string content_type_param(std::string_view content_type, std::string_view name);

}  // namespace crmr::dataverse
