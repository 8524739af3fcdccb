// The simulated Microsoft Entra ID token endpoint (OAuth 2.0 client
// credentials, with the client secret or a certificate's client assertion),
// the bearer-token check of API requests, and an RFC 7662 introspection
// endpoint standing in for Exchange Online's own check of the XOAUTH2 token a
// mailbox logs in with (Dovecot's oauth2 passdb asks it). Issued tokens live in
// memory until they expire.
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
  explicit Auth(const SimConfig& config) : config_(config), mailbox_access_(config.mailbox_access) {}

  // POST /{tenant}/oauth2/v2.0/token with a form body; `audience` is the
  // URL it was posted to (a client assertion's aud must name it).
  SimResponse token(const std::string& form_body, const std::string& audience = {});
  // POST /oauth2/introspect (RFC 7662) with token=...: {"active":false}, or
  // active with client_id, scope, aud, exp, roles and, for a token of the
  // Exchange Online resource, "username": the mailbox the application was
  // given (--mailbox-access, POST /_sim/mailbox-access).
  SimResponse introspect(const std::string& form_body);
  // Checks "Authorization: Bearer T"; the error is a 401.
  std::optional<SimError> check(const std::string& authorization);
  // Makes every issued token expired (tests of expiry without waiting).
  void expire_all();
  // The mailbox Exchange Online tokens open from now on ("" none).
  void set_mailbox_access(const std::string& mailbox);

 private:
  const SimConfig& config_;
  std::mutex mutex_;
  struct Issued {
    std::chrono::steady_clock::time_point expires;
    std::string scope;
  };
  std::map<std::string, Issued> tokens_;
  std::string mailbox_access_;
};

}  // namespace crmr::sim
