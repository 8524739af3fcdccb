#include "core/crm/dataverse_http.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <thread>
#include <unordered_map>

#include "core/base/ascii.h"
#include "core/base/curl_handle.h"

namespace crmr::dataverse {
namespace {

// One request in flight: its easy handle and everything curl writes into.
struct Transfer {
  std::optional<CurlHandle> easy;  // while running
  curl_slist* headers = nullptr;
  HttpRequest req;
  HttpResponse resp;
  HttpMulti::Done done;

  ~Transfer() {
    if (headers) curl_slist_free_all(headers);
  }
};

std::size_t on_body(char* data, std::size_t size, std::size_t n, void* user) {
  static_cast<Transfer*>(user)->resp.body.append(data, size * n);
  return size * n;
}

std::size_t on_header(char* data, std::size_t size, std::size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::string_view line(data, size * n);
  if (line.rfind("HTTP/", 0) == 0) {
    t->resp.headers.clear();  // a new response (after 100 Continue or a redirect)
    return size * n;
  }
  auto colon = line.find(':');
  if (colon != std::string_view::npos)
    t->resp.headers.emplace_back(ascii_lower(trim(line.substr(0, colon))),
                                 std::string(trim(line.substr(colon + 1))));
  return size * n;
}

// The Error for a failed transfer: the one place curl codes become crmr::Error.
Error transfer_error(CURLcode rc, const Transfer& t) {
  std::string detail = curl_easy_strerror(rc);
  std::string_view text = t.easy ? t.easy->error_text() : "";
  if (!text.empty() && detail != text) detail += " (" + std::string(text) + ")";
  std::string what = t.req.label.empty() ? t.req.method : t.req.label;
  switch (rc) {
    case CURLE_OPERATION_TIMEDOUT:
      return Error{Code::CrmTimeout, what + ": no answer in time: " + detail,
                   "the CRM is slow or unreachable; raise [crm] timeout_s if it persists",
                   Scope::Message, Retry::Now};
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
      return Error{Code::CrmTls, what + ": TLS certificate problem: " + detail,
                   "check [crm] tls_ca_file, or the server's certificate", Scope::Run,
                   Retry::Never};
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
      return Error{Code::CrmConfig, what + ": bad CRM URL: " + detail, "check [crm] url",
                   Scope::Run, Retry::Never};
    default:
      return Error{Code::CrmNetwork, what + ": " + detail,
                   "network trouble talking to the CRM; retried with backoff",
                   Scope::Message, Retry::Now};
  }
}

}  // namespace

std::string HttpResponse::header(std::string_view name) const {
  std::string key = ascii_lower(name);
  for (const auto& [k, v] : headers)
    if (k == key) return v;
  return {};
}

struct HttpMulti::Impl {
  HttpOptions opts;
  CURLM* multi = nullptr;
  std::size_t limit = 1;
  Clock::time_point paused_until{};
  bool stopped = false;
  std::multimap<Clock::time_point, std::unique_ptr<Transfer>> queue;  // FIFO per time
  std::unordered_map<CURL*, std::unique_ptr<Transfer>> running;  // by t->easy->get()
  std::vector<CurlHandle> idle;  // easy handles to reuse

  void setup(Transfer& t) {
    CURL* e = t.easy->get();
    curl_easy_setopt(e, CURLOPT_URL, t.req.url.c_str());
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, &t);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, &t);
    curl_easy_setopt(e, CURLOPT_TIMEOUT, static_cast<long>(opts.timeout.count()));
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, static_cast<long>(opts.connect_timeout.count()));
    curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, t.req.fresh_connection ? 1L : 0L);  // handles are reused
    curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, opts.verify_tls ? 1L : 0L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, opts.verify_tls ? 2L : 0L);
    if (!opts.ca_file.empty()) curl_easy_setopt(e, CURLOPT_CAINFO, opts.ca_file.c_str());
    if (t.req.method == "GET") {
      curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
    } else {
      curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, t.req.method.c_str());
      curl_easy_setopt(e, CURLOPT_POSTFIELDS, t.req.body.data());
      curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(t.req.body.size()));
    }
    for (const auto& [k, v] : t.req.headers) t.headers = curl_slist_append(t.headers, (k + ": " + v).c_str());
    t.headers = curl_slist_append(t.headers, "Expect:");  // no 100-continue round trip
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, t.headers);
  }

  Result<CurlHandle> take_easy() {
    if (!idle.empty()) {
      CurlHandle h = std::move(idle.back());
      idle.pop_back();
      h.reset();
      return h;
    }
    return CurlHandle::create(Code::CrmCurlInit);
  }

  void start_ready() {
    auto now = Clock::now();
    while (!stopped && running.size() < limit && !queue.empty() && queue.begin()->first <= now &&
           now >= paused_until) {
      auto node = queue.extract(queue.begin());
      std::unique_ptr<Transfer> t = std::move(node.mapped());
      auto easy = take_easy();
      if (!easy) {
        t->done(std::unexpected(easy.error()));
        continue;
      }
      t->easy.emplace(std::move(*easy));
      setup(*t);
      CURL* e = t->easy->get();
      running.emplace(e, std::move(t));
      curl_multi_add_handle(multi, e);
    }
  }

  // One curl_multi_perform: moves running transfers along, answers the done.
  Status perform_once() {
    int still = 0;
    CURLMcode mc = curl_multi_perform(multi, &still);
    if (mc != CURLM_OK)
      return fail(Code::CrmNetwork, std::string("HTTP transfer engine: ") + curl_multi_strerror(mc));
    finish_done();
    return {};
  }

  void finish_done() {
    int left = 0;
    while (CURLMsg* m = curl_multi_info_read(multi, &left)) {
      if (m->msg != CURLMSG_DONE) continue;
      CURL* e = m->easy_handle;
      CURLcode rc = m->data.result;
      curl_multi_remove_handle(multi, e);
      auto it = running.find(e);
      if (it == running.end()) continue;
      std::unique_ptr<Transfer> t = std::move(it->second);
      running.erase(it);
      if (rc == CURLE_OK) curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &t->resp.status);
      std::optional<Error> failed;
      if (rc != CURLE_OK) failed = transfer_error(rc, *t);
      idle.push_back(std::move(*t->easy));
      t->easy.reset();
      if (failed) {
        t->done(std::unexpected(std::move(*failed)));
      } else {
        t->done(std::move(t->resp));
      }
    }
  }

  // Milliseconds to wait for socket activity before the next timed start.
  int wait_ms() const {
    auto now = Clock::now();
    long ms = running.empty() ? 1000 : 100;
    if (!queue.empty()) {
      auto next = std::max(queue.begin()->first, paused_until);
      if (running.size() < limit || running.empty()) {
        long until = static_cast<long>(
            std::chrono::duration_cast<std::chrono::milliseconds>(next - now).count());
        ms = std::clamp(until, 0L, ms);
      }
    }
    return static_cast<int>(ms);
  }
};

HttpMulti::HttpMulti(HttpOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->opts = std::move(options);
  impl_->opts.max_transfers = std::max<std::size_t>(1, impl_->opts.max_transfers);
  impl_->limit = impl_->opts.max_transfers;
  impl_->multi = curl_multi_init();
  curl_multi_setopt(impl_->multi, CURLMOPT_MAX_HOST_CONNECTIONS,
                    static_cast<long>(impl_->opts.max_transfers));
  curl_multi_setopt(impl_->multi, CURLMOPT_MAXCONNECTS,
                    static_cast<long>(impl_->opts.max_transfers + 2));
}

HttpMulti::~HttpMulti() {
  for (auto& [e, t] : impl_->running) curl_multi_remove_handle(impl_->multi, e);
  impl_->running.clear();  // their CurlHandles clean the easy handles up
  impl_->idle.clear();
  curl_multi_cleanup(impl_->multi);
}

void HttpMulti::submit(HttpRequest req, Done done, Clock::time_point not_before) {
  auto t = std::make_unique<Transfer>();
  t->req = std::move(req);
  t->done = std::move(done);
  impl_->queue.emplace(not_before, std::move(t));
}

void HttpMulti::pause_until(Clock::time_point until) {
  impl_->paused_until = std::max(impl_->paused_until, until);
}

void HttpMulti::set_limit(std::size_t n) {
  impl_->limit = std::clamp<std::size_t>(n, 1, impl_->opts.max_transfers);
}
std::size_t HttpMulti::limit() const { return impl_->limit; }
std::size_t HttpMulti::max_transfers() const { return impl_->opts.max_transfers; }

void HttpMulti::stop() { impl_->stopped = true; }
bool HttpMulti::stopped() const { return impl_->stopped; }
void HttpMulti::resume() { impl_->stopped = false; }

Status HttpMulti::run() {
  Impl& m = *impl_;
  for (;;) {
    m.start_ready();
    if (m.stopped || (m.running.empty() && m.queue.empty())) break;
    if (auto st = m.perform_once(); !st) return st;
    m.start_ready();
    if (m.stopped) break;
    if (m.running.empty()) {
      if (m.queue.empty()) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(std::max(1, m.wait_ms())));
      continue;
    }
    curl_multi_poll(m.multi, nullptr, 0, m.wait_ms(), nullptr);
  }
  if (m.stopped) {
    for (auto& [e, t] : m.running) {
      curl_multi_remove_handle(m.multi, e);
      m.idle.push_back(std::move(*t->easy));
    }
    m.running.clear();
    m.queue.clear();
  }
  return {};
}

Status HttpMulti::pump() {
  Impl& m = *impl_;
  m.start_ready();
  if (m.stopped || m.running.empty()) return {};
  return m.perform_once();
}

Result<HttpResponse> HttpMulti::perform(const HttpRequest& req) {
  Transfer t;
  t.req = req;
  auto easy = CurlHandle::create(Code::CrmCurlInit);
  if (!easy) return std::unexpected(easy.error());
  t.easy.emplace(std::move(*easy));
  impl_->setup(t);
  CURLcode rc = curl_easy_perform(t.easy->get());
  if (rc != CURLE_OK) return std::unexpected(transfer_error(rc, t));
  curl_easy_getinfo(t.easy->get(), CURLINFO_RESPONSE_CODE, &t.resp.status);
  return std::move(t.resp);
}

}  // namespace crmr::dataverse
