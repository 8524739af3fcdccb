#include "sim_auth.h"

#include <fstream>
#include <sstream>

#include "sim_assertion.h"

namespace crmr::sim {
namespace {

SimResponse oauth_error(int status, const std::string& error, const std::string& description) {
  return json_response(status, {{"error", error},
                                {"error_description", description},
                                {"error_codes", json::array()},
                                {"timestamp", now_iso()},
                                {"trace_id", new_guid()},
                                {"correlation_id", new_guid()}});
}

// The resource a scope names: "https://outlook.office365.com/.default" ->
// "https://outlook.office365.com".
std::string resource_of(const std::string& scope) {
  return scope.ends_with("/.default") ? scope.substr(0, scope.size() - 9) : scope;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

SimResponse Auth::token(const std::string& form_body, const std::string& audience) {
  auto form = parse_form(form_body);
  auto field = [&](const char* k) {
    auto it = form.find(k);
    return it == form.end() ? std::string() : it->second;
  };
  // The client's credential: its secret, or a client assertion signed with
  // the registered certificate's key.
  auto credential_refused = [&]() -> std::optional<std::string> {
    if (!form.count("client_assertion")) {
      if (field("client_secret") == config_.client_secret) return std::nullopt;
      return "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the "
             "request is the client secret value, not the client secret ID.";
    }
    if (field("client_assertion_type") != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
      return "AADSTS700023: client_assertion_type must be "
             "urn:ietf:params:oauth:client-assertion-type:jwt-bearer.";
    if (config_.client_certificate.empty())
      return "AADSTS700027: Client assertion contains an invalid signature: no certificate is "
             "registered on application.";
    return check_client_assertion(field("client_assertion"), read_text(config_.client_certificate),
                                  config_.client_id, audience);
  };
  SimResponse r;
  if (field("grant_type") != "client_credentials") {
    r = oauth_error(400, "unsupported_grant_type",
                    "AADSTS70003: The app requested an unsupported grant type '" +
                        field("grant_type") + "'.");
  } else if (field("client_id") != config_.client_id) {
    r = oauth_error(400, "unauthorized_client",
                    "AADSTS700016: Application with identifier '" + field("client_id") +
                        "' was not found in the directory.");
  } else if (auto refused = credential_refused()) {
    r = oauth_error(401, "invalid_client", *refused);
  } else if (!field("scope").ends_with("/.default")) {
    r = oauth_error(400, "invalid_scope",
                    "AADSTS1002012: The provided value for scope " + field("scope") +
                        " is not valid. Client credential flows must have a scope value with "
                        "/.default suffixed to the resource identifier.");
  } else {
    std::string token = "sim." + new_guid() + new_guid();
    {
      std::lock_guard lock(mutex_);
      tokens_[token] = Issued{std::chrono::steady_clock::now() + std::chrono::seconds(config_.token_ttl),
                              field("scope")};
    }
    r = json_response(200, {{"token_type", "Bearer"},
                            {"expires_in", config_.token_ttl},
                            {"ext_expires_in", config_.token_ttl},
                            {"access_token", token}});
  }
  r.content_type = "application/json; charset=utf-8";
  return r;
}

SimResponse Auth::introspect(const std::string& form_body) {
  auto form = parse_form(form_body);
  auto it = form.find("token");
  const std::string token = it == form.end() ? std::string() : it->second;
  json answer = {{"active", false}};
  std::lock_guard lock(mutex_);
  auto found = tokens_.find(token);
  const auto now = std::chrono::steady_clock::now();
  if (found != tokens_.end() && now < found->second.expires) {
    const std::string resource = resource_of(found->second.scope);
    const auto left = std::chrono::duration_cast<std::chrono::seconds>(found->second.expires - now);
    answer = {{"active", true},
              {"client_id", config_.client_id},
              {"token_type", "Bearer"},
              {"scope", found->second.scope},
              {"aud", resource},
              {"exp", std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch() + left).count()}};
    if (resource == "https://outlook.office365.com") {
      answer["roles"] = json::array({"IMAP.AccessAsApp", "POP.AccessAsApp"});
      if (!mailbox_access_.empty()) answer["username"] = mailbox_access_;
    }
  }
  return json_response(200, answer);
}

std::optional<SimError> Auth::check(const std::string& authorization) {
  if (config_.no_auth) return std::nullopt;
  if (!lower(authorization).starts_with("bearer "))
    return SimError{401, codes::kNotAuthenticated, "Bearer token is missing."};
  std::string token = authorization.substr(7);
  token.erase(0, token.find_first_not_of(' '));
  if (!config_.static_token.empty() && token == config_.static_token) return std::nullopt;
  std::lock_guard lock(mutex_);
  auto it = tokens_.find(token);
  if (it == tokens_.end()) return SimError{401, codes::kNotAuthenticated, "The access token is invalid."};
  if (std::chrono::steady_clock::now() >= it->second.expires)
    return SimError{401, codes::kNotAuthenticated, "The access token expired."};
  return std::nullopt;
}

void Auth::set_mailbox_access(const std::string& mailbox) {
  std::lock_guard lock(mutex_);
  mailbox_access_ = mailbox;
}

void Auth::expire_all() {
  std::lock_guard lock(mutex_);
  for (auto& [token, issued] : tokens_) issued.expires = std::chrono::steady_clock::now();
}

}  // namespace crmr::sim
