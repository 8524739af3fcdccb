// The simulated Microsoft Entra ID token endpoint (OAuth 2.0 client
// credentials) and the bearer-token check of API requests. Issued tokens live
// in memory until they expire.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "sim_config.h"
#include "sim_types.h"

namespace crmr::sim {

class Auth {
 public:
  explicit Auth(const SimConfig& config) : config_(config) {}

  // POST /{tenant}/oauth2/v2.0/token with a form body.
  SimResponse token(const std::string& form_body);
  // Checks "Authorization: Bearer T"; the error is a 401.
  std::optional<SimError> check(const std::string& authorization);
  // Makes every issued token expired (tests of expiry without waiting).
  void expire_all();

 private:
  const SimConfig& config_;
  std::mutex mutex_;
  std::map<std::string, std::chrono::steady_clock::time_point> tokens_;
};

}  // namespace crmr::sim
