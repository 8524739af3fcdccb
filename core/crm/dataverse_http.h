// HttpMulti: many HTTP requests at once over libcurl's multi interface, with a
// cap on parallel transfers, per-request start times (backoff) and a global
// pause (service protection: 429 Retry-After). Requests and answers are plain
// values; no curl type appears here. One thread drives it: run() performs the
// transfers and calls each request's callback on that thread, and callbacks may
// submit more requests.
//
// This file's .cc is the one place where curl errors of the CRM client become
// crmr::Error: "crm.network" (connection refused/reset, DNS, TLS handshake,
// empty reply) and "crm.timeout", both Retry::Now; "crm.tls" for certificate
// problems (Retry::Never, Scope::Run).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"

namespace crmr::dataverse {

using Clock = std::chrono::steady_clock;

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;  // may hold secrets: never logged
  std::string body;
  std::string label;  // names the request in errors, e.g. "GET emails (outbox item 3)"
  // On a new connection, never a kept-alive one: libcurl silently sends a
  // request again when a reused connection dies before any answer, which for
  // a request the server may already have carried out (one that creates
  // something without a duplicate check) would do it twice.
  bool fresh_connection = false;
  // Requests the CRM's service protection counts this one as: a $batch
  // counts the requests inside it.
  std::size_t counts_as = 1;
};

struct HttpResponse {
  long status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // names lowercase
  std::string body;
  std::string header(std::string_view name) const;  // "" if absent
};

struct HttpOptions {
  std::size_t max_transfers = 8;              // parallel requests (connections)
  std::chrono::seconds timeout{60};           // whole request
  std::chrono::seconds connect_timeout{15};
  std::string ca_file;                        // extra CA bundle; empty: the system's
  bool verify_tls = true;
};

class HttpMulti {
 public:
  using Done = std::function<void(Result<HttpResponse>)>;

  explicit HttpMulti(HttpOptions options);
  ~HttpMulti();
  HttpMulti(const HttpMulti&) = delete;
  HttpMulti& operator=(const HttpMulti&) = delete;

  // Queue `req`; it starts no earlier than `not_before` nor during a pause.
  void submit(HttpRequest req, Done done, Clock::time_point not_before = {});
  // No request starts before `until` (extends, never shortens, a pause).
  void pause_until(Clock::time_point until);
  // Parallel transfers allowed from now on (1 .. options.max_transfers).
  void set_limit(std::size_t n);
  std::size_t limit() const;
  std::size_t max_transfers() const;

  // Perform transfers until nothing is queued or running, or stop() was called
  // (then queued and running requests are dropped without their callbacks).
  Status run();
  // Start what is ready and move running transfers along, without waiting: a
  // request goes on the wire while the caller does other work; run() then
  // finishes it.
  Status pump();
  void stop();
  bool stopped() const;
  void resume();  // clear a stop() for the next run()

  // One request outside the multi loop (blocking), e.g. the token request.
  Result<HttpResponse> perform(const HttpRequest& req);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace crmr::dataverse
