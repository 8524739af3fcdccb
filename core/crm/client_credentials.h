// ClientCredentials: an access token from an OAuth 2.0 token endpoint by the
// client-credentials grant (Microsoft Entra ID's v2.0 endpoint, or any RFC 6749
// one), with a client secret or a certificate (client assertion, see
// client_assertion.h). The token is kept and handed out again until it has
// less than kTokenMargin left; refused() drops it when a server turned it down,
// so the next token() asks for a new one. The CRM's Session and the mailboxes
// that sign in to Exchange Online (XOAUTH2) use it alike; one object per
// (token URL, client, scope) is the cache.
//
// Transient failures of the token request (network, 5xx, 408) are retried with
// backoff up to max_attempts. Failure: an Error with options' error_code
// ("crm.auth", "mailbox.auth", ...) and error_scope, carrying the identity
// platform's "error: error_description" text; secrets never appear in it.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>

#include "core/crm/client_assertion.h"
#include "core/crm/dataverse_http.h"
#include "core/result.h"

namespace crmr::dataverse {

// Refresh a token that has less than this left.
inline constexpr auto kTokenMargin = std::chrono::minutes(5);

struct ClientCredentialsOptions {
  std::string token_url;      // {tenant} already replaced
  std::string client_id;
  std::string scope;          // e.g. https://outlook.office365.com/.default
  std::string client_secret;  // secret; or:
  std::optional<ClientAssertionSigner> certificate;
  int max_attempts = 6;
  std::chrono::seconds timeout{60};
  std::string ca_file;
  bool verify_tls = true;
  std::chrono::milliseconds backoff_base{250};
  std::chrono::milliseconds backoff_max{30'000};
  // How failures are reported.
  Code error_code = Code::CrmAuth;
  Scope error_scope = Scope::Run;
  std::string hint = "check [crm] tenant, client_id, the client secret or certificate, and token_url";
  // The clock (tests); default: the steady clock.
  std::function<Clock::time_point()> now;
};

class ClientCredentials {
 public:
  explicit ClientCredentials(ClientCredentialsOptions o);

  // The current token, asking the endpoint for one when there is none or it
  // has less than kTokenMargin left.
  Result<std::string> token();
  // A server refused `used` (401, a refused login): unless a newer token is
  // already held, the next token() asks for a new one.
  void refused(const std::string& used);
  // When the held token expires (time_point{} when none is held).
  Clock::time_point expires() const { return expires_; }
  // Token requests sent (every attempt), for tests and `check`.
  std::size_t requests() const { return requests_; }
  const ClientCredentialsOptions& options() const { return o_; }

 private:
  Clock::time_point now() const { return o_.now ? o_.now() : Clock::now(); }
  HttpRequest request() const;

  ClientCredentialsOptions o_;
  HttpMulti http_;
  std::string token_;
  Clock::time_point expires_{};
  std::size_t requests_ = 0;
};

}  // namespace crmr::dataverse
