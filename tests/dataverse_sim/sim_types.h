// Value types shared by the Dataverse simulator: one API request as the
// simulator sees it (outside or inside a $batch), one answer, one OData error,
// and the small helpers (GUIDs, timestamps, JSON answers) every part uses.
#pragma once

#include <cstdint>
#include <expected>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace crmr::sim {

using nlohmann::json;

struct CaseLess {
  bool operator()(const std::string& a, const std::string& b) const;
};
using HeaderMap = std::map<std::string, std::string, CaseLess>;

// One Web API request. `path` is relative to the base (e.g. "emails(<guid>)",
// "$batch"), percent-decoded; `query` holds the decoded query options.
struct SimRequest {
  std::string method;
  std::string path;
  std::multimap<std::string, std::string> query;
  HeaderMap headers;
  std::string body;
  std::string base_url;  // "http://host:port/api/data/v9.2/"

  std::string header(const std::string& name) const;
  std::string param(const std::string& name) const;
  bool has_param(const std::string& name) const { return query.count(name) > 0; }
  bool prefers(std::string_view token) const;  // Prefer header contains token
};

struct SimResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string content_type = "application/json; odata.metadata=minimal";

  void set_header(const std::string& name, const std::string& value);
  std::string header(const std::string& name) const;
};

// An OData failure: HTTP status, Dataverse error code ("0x8004..."), message,
// and optional extra headers (Retry-After).
struct SimError {
  int status = 400;
  std::string code;
  std::string message;
};

template <class T>
using SimResult = std::expected<T, SimError>;

inline std::unexpected<SimError> sim_fail(int status, std::string code, std::string message) {
  return std::unexpected(SimError{status, std::move(code), std::move(message)});
}

// The error codes the simulator answers with. Where Microsoft documents a code
// it is that code; the others are marked "sim" and listed in README.md.
namespace codes {
inline constexpr const char* kDoesNotExist = "0x80040217";        // ObjectDoesNotExist
inline constexpr const char* kDuplicateKey = "0x80040237";        // Cannot insert duplicate key
inline constexpr const char* kLengthExceeded = "0x80044331";      // attribute too long
inline constexpr const char* kAttachmentTooLarge = "0x80044a02";  // maxuploadfilesize
inline constexpr const char* kAttachmentBlocked = "0x80043e09";   // blockedattachments
inline constexpr const char* kRequestLimit = "0x80072322";        // number of requests
inline constexpr const char* kConcurrencyLimit = "0x80072326";    // concurrent requests
inline constexpr const char* kUnexpected = "0x80040216";          // unexpected server error
inline constexpr const char* kInvalidArgument = "0x80040203";     // invalid argument
inline constexpr const char* kBadQuery = "0x80060888";            // sim: bad OData syntax/option
inline constexpr const char* kNotAuthenticated = "0x80072560";    // sim: no/invalid/expired token
inline constexpr const char* kDeltaTokenExpired = "0x80044352";   // sim: expired delta token
inline constexpr const char* kInvalidState = "0x80044330";        // sim: bad statecode/statuscode
inline constexpr const char* kReadOnlyField = "0x80060891";       // sim: field not valid for create
inline constexpr const char* kBlockTooLarge = "0x80090001";       // sim: upload block >= 4 MB
inline constexpr const char* kNotDelivered = "0x8005e201";        // sim: DeliverIncomingEmail refused
}  // namespace codes

SimResponse error_response(const SimError& error);
SimResponse json_response(int status, const json& body);
SimResponse empty_response(int status);

std::string new_guid();
bool is_guid(std::string_view text);
std::string lower(std::string_view text);
std::string now_iso();           // "2026-05-01T10:00:00Z", UTC
std::int64_t now_unix();
std::string percent_encode(std::string_view text);  // for query values in links
bool base64_valid(std::string_view text);
std::size_t base64_decoded_size(std::string_view text);
std::string base64_decode(std::string_view text);
std::string base64_encode(std::string_view bytes);
// application/x-www-form-urlencoded and query strings: '+' is a space.
std::string percent_decode(std::string_view text);
std::multimap<std::string, std::string> parse_form(std::string_view text);

}  // namespace crmr::sim
