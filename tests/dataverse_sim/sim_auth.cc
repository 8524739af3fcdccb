#include "sim_auth.h"

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

}  // namespace

SimResponse Auth::token(const std::string& form_body) {
  auto form = parse_form(form_body);
  auto field = [&](const char* k) {
    auto it = form.find(k);
    return it == form.end() ? std::string() : it->second;
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
  } else if (field("client_secret") != config_.client_secret) {
    r = oauth_error(401, "invalid_client",
                    "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent "
                    "in the request is the client secret value, not the client secret ID.");
  } else if (!field("scope").ends_with("/.default")) {
    r = oauth_error(400, "invalid_scope",
                    "AADSTS1002012: The provided value for scope " + field("scope") +
                        " is not valid. Client credential flows must have a scope value with "
                        "/.default suffixed to the resource identifier.");
  } else {
    std::string token = "sim." + new_guid() + new_guid();
    {
      std::lock_guard lock(mutex_);
      tokens_[token] = std::chrono::steady_clock::now() + std::chrono::seconds(config_.token_ttl);
    }
    r = json_response(200, {{"token_type", "Bearer"},
                            {"expires_in", config_.token_ttl},
                            {"ext_expires_in", config_.token_ttl},
                            {"access_token", token}});
  }
  r.content_type = "application/json; charset=utf-8";
  return r;
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
  if (std::chrono::steady_clock::now() >= it->second)
    return SimError{401, codes::kNotAuthenticated, "The access token expired."};
  return std::nullopt;
}

void Auth::expire_all() {
  std::lock_guard lock(mutex_);
  for (auto& [token, expiry] : tokens_) expiry = std::chrono::steady_clock::now();
}

}  // namespace crmr::sim
