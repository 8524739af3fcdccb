#include "core/crm/dataverse_http.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <mutex>
#include <thread>
#include <unordered_map>

namespace crmr::dataverse {
namespace {

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// One request in flight: its easy handle and everything curl writes into.
struct Transfer {
  CURL* easy = nullptr;
  curl_slist* headers = nullptr;
  HttpRequest req;
  HttpResponse resp;
  HttpMulti::Done done;
  char errbuf[CURL_ERROR_SIZE] = {};

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
    t->resp.headers.emplace_back(lower(trim(line.substr(0, colon))),
                                 std::string(trim(line.substr(colon + 1))));
  return size * n;
}

// The Error for a failed transfer: the one place curl codes become crmr::Error.
Error transfer_error(CURLcode rc, const Transfer& t) {
  std::string detail = curl_easy_strerror(rc);
  if (t.errbuf[0] && detail != t.errbuf) detail += " (" + std::string(t.errbuf) + ")";
  std::string what = t.req.label.empty() ? t.req.method : t.req.label;
  switch (rc) {
    case CURLE_OPERATION_TIMEDOUT:
      return Error{"crm.timeout", what + ": no answer in time: " + detail,
                   "the CRM is slow or unreachable; raise [crm] timeout_s if it persists",
                   Scope::Message, Retry::Now};
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
      return Error{"crm.tls", what + ": TLS certificate problem: " + detail,
                   "check [crm] tls_ca_file, or the server's certificate", Scope::Run,
                   Retry::Never};
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
      return Error{"crm.config", what + ": bad CRM URL: " + detail, "check [crm] url",
                   Scope::Run, Retry::Never};
    default:
      return Error{"crm.network", what + ": " + detail,
                   "network trouble talking to the CRM; retried with backoff",
                   Scope::Message, Retry::Now};
  }
}

}  // namespace

std::string HttpResponse::header(std::string_view name) const {
  std::string key = lower(name);
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
  std::unordered_map<CURL*, std::unique_ptr<Transfer>> running;
  std::vector<CURL*> idle;  // easy handles to reuse

  void setup(Transfer& t) {
    CURL* e = t.easy;
    curl_easy_setopt(e, CURLOPT_URL, t.req.url.c_str());
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, &t);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, &t);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t.errbuf);
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

  CURL* take_easy() {
    if (!idle.empty()) {
      CURL* e = idle.back();
      idle.pop_back();
      curl_easy_reset(e);
      return e;
    }
    return curl_easy_init();
  }

  void start_ready() {
    auto now = Clock::now();
    while (!stopped && running.size() < limit && !queue.empty() && queue.begin()->first <= now &&
           now >= paused_until) {
      auto node = queue.extract(queue.begin());
      std::unique_ptr<Transfer> t = std::move(node.mapped());
      t->easy = take_easy();
      setup(*t);
      CURL* e = t->easy;
      running.emplace(e, std::move(t));
      curl_multi_add_handle(multi, e);
    }
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
      idle.push_back(e);
      t->easy = nullptr;
      if (rc == CURLE_OK) {
        curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &t->resp.status);
        t->done(std::move(t->resp));
      } else {
        t->done(std::unexpected(transfer_error(rc, *t)));
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
  global_init();
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
  for (auto& [e, t] : impl_->running) {
    curl_multi_remove_handle(impl_->multi, e);
    curl_easy_cleanup(e);
  }
  for (CURL* e : impl_->idle) curl_easy_cleanup(e);
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
    int still = 0;
    CURLMcode mc = curl_multi_perform(m.multi, &still);
    if (mc != CURLM_OK)
      return fail("crm.network", std::string("HTTP transfer engine: ") + curl_multi_strerror(mc),
                  Scope::Run, Retry::Later);
    m.finish_done();
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
      m.idle.push_back(e);
    }
    m.running.clear();
    m.queue.clear();
  }
  return {};
}

Result<HttpResponse> HttpMulti::perform(const HttpRequest& req) {
  Transfer t;
  t.req = req;
  t.easy = curl_easy_init();
  impl_->setup(t);
  CURLcode rc = curl_easy_perform(t.easy);
  Result<HttpResponse> out = std::unexpected(Error{});
  if (rc == CURLE_OK) {
    curl_easy_getinfo(t.easy, CURLINFO_RESPONSE_CODE, &t.resp.status);
    out = std::move(t.resp);
  } else {
    out = std::unexpected(transfer_error(rc, t));
  }
  curl_easy_cleanup(t.easy);
  return out;
}

}  // namespace crmr::dataverse
