// Session: authenticated Web API calls with the service-protection rules of
// the Dataverse Web API, over HttpMulti. It owns the access token (client credentials
// by ClientCredentials, with a secret or a certificate, cached and refreshed
// before expiry and once on a 401, or a static bearer token), adds the OData
// headers, waits out 429 Retry-After for all connections (and lowers
// parallelism for a while), and retries transient failures of idempotent
// requests with exponential backoff and jitter.
//
// Answers given to callbacks are 2xx responses or Errors:
//   crm.rejected   400/403/404/405/409/412/413/...: Retry::Never (permanent)
//   crm.unavailable 5xx/408 and crm.network/crm.timeout: Retry::Now (transient)
//   crm.throttled  429 beyond the run's patience: Retry::Later
//   crm.auth       the token cannot be had, or a 401 after a refresh: Scope::Run
// Secrets (client secret, token) are never put in an Error or a log line.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

#include "core/crm/client_credentials.h"
#include "core/crm/dataverse_http.h"
#include "core/crm/dataverse_options.h"
#include "core/mime/mime_parser.h"
#include "core/result.h"

namespace crmr::dataverse {

class Session {
 public:
  using Done = HttpMulti::Done;

  explicit Session(DataverseOptions o);

  // Send `req` (url relative to api_url, or absolute). `idempotent` requests are
  // retried on transient failures; others are answered with the transient Error
  // so the caller can check what happened before trying again.
  void send(HttpRequest req, bool idempotent, Done done, Clock::time_point not_before = {});
  // send() and run() until that one request is answered. Not from a callback.
  Result<HttpResponse> send_now(HttpRequest req);
  // A read sent ahead: `req` (idempotent) goes on the wire now and is answered
  // into `out` by a later run() (or send_now()), so that the server prepares
  // it while the caller works. Not from a callback.
  Status send_ahead(HttpRequest req, std::optional<Result<HttpResponse>>& out);
  Status run() { return http_.run(); }
  void stop() { http_.stop(); }
  bool stopped() const { return http_.stopped(); }
  void resume() { http_.resume(); }

  // The wait before attempt `attempt` (1-based) of something that failed.
  Clock::duration backoff(int attempt) const;
  // Note a 429 answer: pause every connection for its Retry-After, slow down.
  void throttled(const std::string& retry_after);
  // Obtain the access token now (client credentials: one token request).
  Status authenticate() {
    auto t = token();
    if (!t) return std::unexpected(t.error());
    return {};
  }
  const DataverseOptions& options() const { return o_; }
  // The path part of api_url, e.g. "/api/data/v9.2/".
  const std::string& api_path() const { return api_path_; }
  // Requests sent so far (every attempt), and 429 answers seen.
  std::size_t requests_sent() const { return sent_; }
  // The same as the CRM's service protection counts them (HttpRequest::counts_as).
  std::size_t requests_counted() const { return counted_; }
  std::size_t throttle_count() const { return throttles_; }

 private:
  struct Call;
  void dispatch(std::shared_ptr<Call> c, Clock::time_point not_before);
  void answer(std::shared_ptr<Call> c, const std::string& token, Result<HttpResponse> r);
  Result<std::string> token();

  DataverseOptions o_;
  HttpMulti http_;
  ClientCredentials credentials_;  // Auth::ClientCredentials: the token and its cache
  std::string api_path_;
  std::size_t sent_ = 0;
  std::size_t counted_ = 0;
  std::size_t throttles_ = 0;
  std::size_t successes_since_throttle_ = 0;
};

// The Error for a non-2xx answer to `req` (see the list above).
Error http_error(const HttpRequest& req, const HttpResponse& resp);

}  // namespace crmr::dataverse
