#include "core/crm/client_credentials.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <thread>

#include "core/crm/dataverse_request.h"
#include "core/crm/dataverse_session.h"

namespace crmr::dataverse {
namespace {

double jitter() {
  thread_local std::mt19937 rng{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.5, 1.0)(rng);
}

}  // namespace

ClientCredentials::ClientCredentials(ClientCredentialsOptions o)
    : o_(std::move(o)),
      http_(HttpOptions{1, o_.timeout, std::chrono::seconds(std::min<long>(15, o_.timeout.count())),
                        o_.ca_file, o_.verify_tls}) {}

HttpRequest ClientCredentials::request() const {
  HttpRequest req;
  req.method = "POST";
  req.url = o_.token_url;
  req.label = "token request to " + o_.token_url;
  req.headers = {{"Content-Type", "application/x-www-form-urlencoded"}, {"Accept", "application/json"}};
  req.body = "grant_type=client_credentials&client_id=" + url_encode(o_.client_id) +
             "&scope=" + url_encode(o_.scope);
  return req;
}

Result<std::string> ClientCredentials::token() {
  if (!token_.empty() && now() + kTokenMargin < expires_) return token_;
  HttpRequest req = request();
  Error err;
  for (int attempt = 1;; ++attempt) {
    // A client assertion is made afresh for each attempt (its jti is one-time).
    HttpRequest r = req;
    if (o_.certificate) {
      const auto unix_now = std::chrono::duration_cast<std::chrono::seconds>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count();
      auto jwt = o_.certificate->assertion(o_.client_id, o_.token_url, unix_now);
      if (!jwt) {
        err = jwt.error();
        break;
      }
      r.body += "&client_assertion_type=" +
                url_encode("urn:ietf:params:oauth:client-assertion-type:jwt-bearer") +
                "&client_assertion=" + url_encode(*jwt);
    } else {
      r.body += "&client_secret=" + url_encode(o_.client_secret);
    }
    ++requests_;
    const auto asked = now();
    auto resp = http_.perform(r);
    if (!resp) {
      err = resp.error();
    } else if (resp->status >= 200 && resp->status < 300) {
      auto t = parse_token(resp->body);
      if (!t) {
        err = t.error();
        err.retry = Retry::Later;
        break;
      }
      token_ = t->access_token;
      expires_ = asked + std::chrono::seconds(t->expires_in_s);
      return token_;
    } else {
      err = http_error(req, *resp);
      // The identity platform answers {"error":"invalid_client","error_description":...}.
      auto j = nlohmann::json::parse(resp->body, nullptr, false);
      if (j.is_object() && j.contains("error") && j["error"].is_string()) {
        err.message = req.label + ": HTTP " + std::to_string(resp->status) + ": " +
                      j["error"].get<std::string>() + ": " + j.value("error_description", std::string{});
      }
    }
    if (err.retry != Retry::Now || attempt >= o_.max_attempts) break;
    double ms = static_cast<double>(o_.backoff_base.count()) * std::pow(2.0, attempt - 1);
    ms = std::min(ms, static_cast<double>(o_.backoff_max.count())) * jitter();
    std::this_thread::sleep_for(std::chrono::milliseconds(static_cast<long long>(ms)));
  }
  err.code = o_.error_code;
  err.scope = o_.error_scope;
  if (err.hint.empty() || err.retry == Retry::Never) err.hint = o_.hint;
  return fail(std::move(err));
}

void ClientCredentials::refused(const std::string& used) {
  if (used == token_) {
    token_.clear();
    expires_ = {};
  }
}

}  // namespace crmr::dataverse
