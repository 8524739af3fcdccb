#include "core/crm/dataverse_session.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <random>
#include <thread>

#include "core/crm/dataverse_request.h"

namespace crmr::dataverse {
namespace {

// 429 answers one request may get before it is left for the next run.
constexpr int kMaxThrottlesPerRequest = 30;

double jitter() {
  thread_local std::mt19937 rng{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.5, 1.0)(rng);
}

std::chrono::milliseconds retry_after_of(const std::string& value) {
  if (value.empty()) return std::chrono::seconds(5);
  char* end = nullptr;
  double s = std::strtod(value.c_str(), &end);
  if (end == value.c_str() || s < 0) return std::chrono::seconds(5);  // an HTTP date: be patient
  return std::chrono::milliseconds(static_cast<long long>(std::ceil(s * 1000)));
}

std::string path_of(const std::string& url) {
  auto scheme = url.find("://");
  auto slash = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  std::string p = slash == std::string::npos ? "/" : url.substr(slash);
  if (p.back() != '/') p += '/';
  return p;
}

ClientCredentialsOptions credentials_options(const DataverseOptions& o) {
  ClientCredentialsOptions c;
  c.token_url = o.token_url;
  c.client_id = o.client_id;
  c.scope = o.scope;
  c.client_secret = o.client_secret;
  c.certificate = o.certificate;
  c.max_attempts = o.max_attempts;
  c.timeout = o.timeout;
  c.ca_file = o.ca_file;
  c.verify_tls = o.verify_tls;
  c.backoff_base = o.backoff_base;
  c.backoff_max = o.backoff_max;
  return c;
}

}  // namespace

struct Session::Call {
  HttpRequest req;
  bool idempotent = false;
  Done done;
  int attempts = 0;
  int throttles = 0;
  bool refreshed = false;
};

Error http_error(const HttpRequest& req, const HttpResponse& resp) {
  std::string what = req.label.empty() ? req.method + " " + req.url : req.label;
  std::string text = error_text(resp.body);
  std::string msg = what + ": HTTP " + std::to_string(resp.status) + (text.empty() ? "" : ": " + text);
  long s = resp.status;
  if (s == 401)
    return Error{Code::CrmAuth, msg, "the CRM refused the access token; check [crm] auth settings",
                 Scope::Run, Retry::Never};
  if (s == 429)
    return Error{Code::CrmThrottled, msg, "the CRM's service protection limits were hit; left for the next run",
                 Scope::Message, Retry::Later};
  if (s >= 500 || s == 408)
    return Error{Code::CrmUnavailable, msg, "the CRM is unavailable; retried with backoff",
                 Scope::Message, Retry::Now};
  return Error{Code::CrmRejected, msg, "the CRM rejected the request", Scope::Message, Retry::Never};
}

Session::Session(DataverseOptions o)
    : o_(std::move(o)),
      http_(HttpOptions{o_.concurrency, o_.timeout, std::chrono::seconds(std::min<long>(15, o_.timeout.count())),
                        o_.ca_file, o_.verify_tls}),
      credentials_(credentials_options(o_)),
      api_path_(path_of(o_.api_url)) {}

Clock::duration Session::backoff(int attempt) const {
  double ms = static_cast<double>(o_.backoff_base.count()) * std::pow(2.0, std::max(0, attempt - 1));
  ms = std::min(ms, static_cast<double>(o_.backoff_max.count()));
  return std::chrono::milliseconds(static_cast<long long>(ms * jitter()));
}

void Session::throttled(const std::string& retry_after) {
  ++throttles_;
  successes_since_throttle_ = 0;
  http_.pause_until(Clock::now() + retry_after_of(retry_after));
  http_.set_limit(std::max<std::size_t>(1, http_.limit() * 3 / 4));
}

Result<std::string> Session::token() {
  if (o_.auth == DataverseOptions::Auth::Bearer) {
    if (o_.bearer_token.empty())
      return fail(Code::CrmAuth, "no bearer token: the environment variable named by [crm] token_env is empty",
                  "export the token, or use auth = \"client_credentials\"");
    return o_.bearer_token;
  }
  return credentials_.token();
}

void Session::send(HttpRequest req, bool idempotent, Done done, Clock::time_point not_before) {
  auto c = std::make_shared<Call>();
  c->req = std::move(req);
  c->idempotent = idempotent;
  c->done = std::move(done);
  dispatch(std::move(c), not_before);
}

void Session::dispatch(std::shared_ptr<Call> c, Clock::time_point not_before) {
  auto tok = token();
  if (!tok) {
    c->done(std::unexpected(tok.error()));
    return;
  }
  HttpRequest r = c->req;
  if (r.url.rfind("http://", 0) != 0 && r.url.rfind("https://", 0) != 0) r.url = o_.api_url + r.url;
  r.headers.emplace_back("Authorization", "Bearer " + *tok);
  r.headers.emplace_back("Accept", "application/json");
  r.headers.emplace_back("OData-MaxVersion", "4.0");
  r.headers.emplace_back("OData-Version", "4.0");
  bool has_type = std::any_of(r.headers.begin(), r.headers.end(),
                              [](const auto& h) { return h.first == "Content-Type"; });
  if (!r.body.empty() && !has_type) r.headers.emplace_back("Content-Type", "application/json; charset=utf-8");
  ++sent_;
  counted_ += r.counts_as;
  http_.submit(std::move(r),
               [this, c, used = *tok](Result<HttpResponse> res) { answer(c, used, std::move(res)); },
               not_before);
}

void Session::answer(std::shared_ptr<Call> c, const std::string& used, Result<HttpResponse> r) {
  auto retry_later = [&](const Error& e, Clock::duration wait) {
    if (c->idempotent && e.retry == Retry::Now && ++c->attempts < o_.max_attempts) {
      dispatch(c, Clock::now() + wait);
      return true;
    }
    return false;
  };
  if (!r) {
    if (!retry_later(r.error(), backoff(c->attempts + 1))) c->done(std::move(r));
    return;
  }
  const long s = r->status;
  if (s >= 200 && s < 300) {
    // Recover parallelism slowly after throttling.
    if (http_.limit() < http_.max_transfers() && ++successes_since_throttle_ >= 20) {
      successes_since_throttle_ = 0;
      http_.set_limit(http_.limit() + 1);
    }
    c->done(std::move(r));
    return;
  }
  if (s == 401 && !c->refreshed) {
    c->refreshed = true;
    if (o_.auth == DataverseOptions::Auth::ClientCredentials) credentials_.refused(used);
    dispatch(c, {});
    return;
  }
  if (s == 429) {
    throttled(r->header("retry-after"));
    if (++c->throttles < kMaxThrottlesPerRequest) {
      dispatch(c, {});
      return;
    }
  }
  Error e = http_error(c->req, *r);
  auto wait = backoff(c->attempts + 1);
  if (auto ra = r->header("retry-after"); !ra.empty()) wait = std::max<Clock::duration>(wait, retry_after_of(ra));
  if (!retry_later(e, wait)) c->done(std::unexpected(std::move(e)));
}

Result<HttpResponse> Session::send_now(HttpRequest req) {
  std::optional<Result<HttpResponse>> out;
  http_.resume();
  send(std::move(req), true, [&out](Result<HttpResponse> r) { out = std::move(r); });
  if (auto st = http_.run(); !st) return std::unexpected(st.error());
  if (!out) return fail(Code::CrmStopped, "the request was stopped before it was answered");
  return std::move(*out);
}

Status Session::send_ahead(HttpRequest req, std::optional<Result<HttpResponse>>& out) {
  out.reset();
  http_.resume();
  send(std::move(req), true, [&out](Result<HttpResponse> r) { out = std::move(r); });
  return http_.pump();
}

}  // namespace crmr::dataverse
