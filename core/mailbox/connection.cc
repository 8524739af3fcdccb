// Connection over libcurl CONNECT_ONLY; see connection.h.
#include "core/mailbox/connection.h"

#include <algorithm>
#include <cctype>

#include "core/mailbox/greeting_watch.h"
#include "core/mailbox/login_refusal.h"
#include "core/mailbox/socket_wait.h"
#include "core/base/ascii.h"

namespace crmr {
namespace {

constexpr std::size_t kChunk = 256 * 1024;

std::string scheme_of(std::string_view url) {
  return ascii_lower(url.substr(0, url.find("://")));
}

}  // namespace

// What open() learns across its attempts, and the state one attempt's
// debug callback writes to.
struct Connection::Attempt {
  std::string label;
  std::vector<std::string> secrets;
  std::shared_ptr<ProtocolTrace> trace;
  ServerOffer offer;
  std::string last_server_line;  // of the current attempt
  std::optional<LoginRefusal> refusal;
  GreetingWatch* greeting = nullptr;  // of the current attempt, while libcurl connects
  // Round trips of the current attempt's connect and login: each time the
  // server answers after the client spoke (connecting counts as speaking).
  std::uint64_t round_trips = 0;
  bool client_spoke = true;
  // The capabilities the server announced since the client last spoke
  // ("* CAPABILITY ..." or "OK [CAPABILITY ...]"): after a login, the
  // post-login ones, or empty when the server sent none then.
  std::string capabilities = {};
};

namespace {

// libcurl's debug callback while it connects and logs in: the lines it sends
// and receives (HEADER_OUT/IN) go to the trace, the server's to the offer.
int on_curl_debug(CURL*, curl_infotype type, char* data, size_t size, void* userp) {
  auto* a = static_cast<Connection::Attempt*>(userp);
  std::string_view bytes(data, size);
  if (type == CURLINFO_HEADER_OUT) {
    a->trace->client(bytes);
    a->client_spoke = true;
    a->capabilities.clear();
  } else if (type == CURLINFO_HEADER_IN) {
    a->trace->server(bytes);
    if (a->client_spoke) ++a->round_trips;
    a->client_spoke = false;
    while (!bytes.empty()) {
      std::size_t nl = bytes.find('\n');
      std::string_view line = bytes.substr(0, nl);
      if (line.ends_with('\r')) line.remove_suffix(1);
      if (!line.empty()) {
        if (line.starts_with("* CAPABILITY ")) {
          a->capabilities = std::string(line.substr(13));
        } else if (auto at = line.find(" OK [CAPABILITY "); at != std::string_view::npos) {
          std::string_view rest = line.substr(at + 16);
          a->capabilities = std::string(rest.substr(0, rest.find(']')));
        }
        a->offer.read(line);
        a->last_server_line = std::string(line);
        if (a->greeting) a->greeting->server_line(line);
      }
      if (nl == std::string_view::npos) break;
      bytes.remove_prefix(nl + 1);
    }
  }
  return 0;
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

}  // namespace

Connection::Connection(CurlHandle h, std::string label, std::vector<std::string> secrets,
                       std::chrono::milliseconds timeout)
    : h_(std::move(h)), label_(std::move(label)), secrets_(std::move(secrets)),
      timeout_(timeout), chunk_(kChunk, '\0') {}

Connection::~Connection() {
  if (h_.get()) abandon();
}

Result<Connection> Connection::open(const MailboxEndpoint& ep) {
  std::string label = scrub_url(ep.url);
  std::string scheme = scheme_of(ep.url);
  if (scheme != "imap" && scheme != "imaps" && scheme != "pop3" && scheme != "pop3s")
    return fail(Code::MailboxUrl, "bad mailbox URL " + label + ": scheme must be imap, imaps, pop3 or pop3s");
  bool pop3 = scheme.starts_with("pop3");
  std::vector<std::string> secrets;
  if (!ep.password.empty()) secrets.push_back(ep.password);
  if (!ep.oauth2_token.empty()) secrets.push_back(ep.oauth2_token);
  Attempt a{label, secrets, std::make_shared<ProtocolTrace>(ep.trace, secrets), ServerOffer(pop3), {}, {}};

  std::vector<std::string> tried;
  std::optional<Error> last;
  for (LoginMechanism m : login_plan(ep.auth, !ep.oauth2_token.empty())) {
    if (!a.offer.offers(m)) continue;
    a.trace->note("connecting to " + label + ", login with " + login_mechanism_name(m));
    a.refusal.reset();
    a.last_server_line.clear();
    auto conn = attempt(ep, m, a);
    if (conn) return conn;
    // Only a refusal lets another mechanism help; network and TLS trouble,
    // and a server asking to wait ([LOGIN-DELAY], [IN-USE] ...), end here.
    if (conn.error().code != Code::MailboxAuth) return conn;
    if (!a.offer.offers(m)) continue;  // libcurl found it not offered: not a refusal
    tried.push_back(login_mechanism_name(m));
    last = conn.error();
    // With the default list, a server that says the credentials are wrong is
    // believed: another mechanism would only add failed logins.
    std::string code = a.refusal ? a.refusal->code : "";
    if (ep.auth.empty() && (code == "AUTHENTICATIONFAILED" || code == "AUTH")) break;
  }
  if (!last) {
    std::vector<std::string> names;
    for (LoginMechanism m : login_plan(ep.auth, !ep.oauth2_token.empty()))
      names.push_back(login_mechanism_name(m));
    return fail(Code::MailboxAuth,
                label + " offers none of the login mechanisms " + join(names) + " (it offers " +
                    a.offer.describe() + ")",
                "set auth to a mechanism the server offers");
  }
  if (tried.size() > 1) last->message += " (tried " + join(tried) + ")";
  return std::unexpected(*last);
}

Result<Connection> Connection::attempt(const MailboxEndpoint& ep, LoginMechanism m, Attempt& a) {
  auto created = CurlHandle::create(Code::MailboxCurlInit);
  if (!created) return std::unexpected(created.error());
  CurlHandle h = std::move(*created);
  CURL* c = h.get();
  std::string scheme = scheme_of(ep.url);
  bool pop3 = scheme.starts_with("pop3");

  curl_easy_setopt(c, CURLOPT_URL, ep.url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "imap,imaps,pop3,pop3s");
  std::string options = curl_login_options(m);
  if (m != LoginMechanism::User) {  // User: no credentials, libcurl stops before login
    curl_easy_setopt(c, CURLOPT_USERNAME, ep.user.c_str());
    curl_easy_setopt(c, CURLOPT_LOGIN_OPTIONS, options.c_str());
    if (m == LoginMechanism::Xoauth2) curl_easy_setopt(c, CURLOPT_XOAUTH2_BEARER, ep.oauth2_token.c_str());
    else curl_easy_setopt(c, CURLOPT_PASSWORD, ep.password.c_str());
  }
  if (scheme == "imap" || scheme == "pop3") {
    long use_ssl = ep.starttls == MailboxEndpoint::StartTls::Required   ? CURLUSESSL_ALL
                   : ep.starttls == MailboxEndpoint::StartTls::Optional ? CURLUSESSL_TRY
                                                                        : CURLUSESSL_NONE;
    curl_easy_setopt(c, CURLOPT_USE_SSL, use_ssl);
  }
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, ep.verify_tls ? 1L : 0L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, ep.verify_tls ? 2L : 0L);
  if (!ep.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, ep.ca_file.c_str());
  auto timeout = std::chrono::duration_cast<std::chrono::milliseconds>(ep.timeout);
  if (timeout.count() <= 0) timeout = std::chrono::milliseconds(60000);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(c, CURLOPT_CONNECT_ONLY, 1L);
  if (ep.tls_sessions) curl_easy_setopt(c, CURLOPT_SHARE, static_cast<CURLSH*>(tls_sessions_handle(*ep.tls_sessions)));
  curl_easy_setopt(c, CURLOPT_DEBUGFUNCTION, on_curl_debug);
  curl_easy_setopt(c, CURLOPT_DEBUGDATA, &a);
  curl_easy_setopt(c, CURLOPT_VERBOSE, 1L);

  GreetingWatch watch(scheme);
  a.greeting = &watch;
  a.round_trips = 0;
  a.client_spoke = true;
  a.capabilities.clear();
  watch.on(c);
  CURLcode rc = curl_easy_perform(c);
  watch.off(c);
  a.greeting = nullptr;
  curl_easy_setopt(c, CURLOPT_VERBOSE, 0L);
  curl_easy_setopt(c, CURLOPT_DEBUGFUNCTION, nullptr);
  curl_easy_setopt(c, CURLOPT_DEBUGDATA, nullptr);
  if (rc != CURLE_OK) {
    a.refusal = parse_login_refusal(a.last_server_line);
    bool login_phase = rc == CURLE_LOGIN_DENIED || rc == CURLE_WEIRD_SERVER_REPLY ||
                       rc == CURLE_GOT_NOTHING || rc == CURLE_RECV_ERROR;
    if (a.refusal && login_phase) {
      a.refusal->text = mask_secrets(a.refusal->text, a.secrets);
      return std::unexpected(login_refused(a.label, login_mechanism_name(m), *a.refusal));
    }
    return std::unexpected(watch.explain(rc, a.label, curl_error(rc, a.label, h, a.secrets)));
  }
  curl_socket_t sock = CURL_SOCKET_BAD;
  rc = curl_easy_getinfo(c, CURLINFO_ACTIVESOCKET, &sock);
  if (rc != CURLE_OK || sock == CURL_SOCKET_BAD)
    return fail(Code::MailboxNetwork, "no socket after connecting to " + a.label);
  Connection conn(std::move(h), a.label, a.secrets, timeout);
  conn.tls_sessions_ = ep.tls_sessions;
  conn.sock_ = static_cast<std::int64_t>(sock);
  conn.trace_ = a.trace;
  conn.mechanism_ = login_mechanism_name(m);
  conn.round_trips_ = a.round_trips;
  if (!pop3 && m != LoginMechanism::User) conn.login_capabilities_ = a.capabilities;
  if (m == LoginMechanism::User) {
    if (auto s = conn.login_with_command(ep, pop3, a.refusal); !s) return std::unexpected(s.error());
  }
  conn.logged_in_ = true;
  return conn;
}

Error Connection::io_error(CURLcode code) const { return curl_error(code, label_, h_, secrets_); }

namespace {

// An IMAP quoted string (RFC 3501 4.3).
std::string imap_quoted(std::string_view s) {
  std::string out = "\"";
  for (char ch : s) {
    if (ch == '"' || ch == '\\') out += '\\';
    out += ch;
  }
  return out + "\"";
}

}  // namespace

Status Connection::login_with_command(const MailboxEndpoint& ep, bool pop3,
                                      std::optional<LoginRefusal>& refusal) {
  const std::string name = login_mechanism_name(LoginMechanism::User);
  for (const std::string* s : {&ep.user, &ep.password})
    if (s->find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos)
      return fail(Code::MailboxAuth, "the user name or password for " + label_ +
                                      " contains a line break or NUL; it cannot be sent");
  auto refused = [&](const std::string& line) -> Status {
    refusal = parse_login_refusal(line);
    if (!refusal) refusal = LoginRefusal{line, ""};
    refusal->text = mask_secrets(refusal->text, secrets_);
    return std::unexpected(login_refused(label_, name, *refusal));
  };
  if (pop3) {
    for (const std::string& cmd : {"USER " + ep.user, "PASS " + ep.password}) {
      if (auto s = send(cmd + "\r\n"); !s) return s;
      auto line = read_line();
      if (!line) return std::unexpected(line.error());
      if (!line->starts_with("+OK")) return refused(*line);
    }
    return {};
  }
  const std::string tag = "L1";
  if (auto s = send(tag + " LOGIN " + imap_quoted(ep.user) + " " + imap_quoted(ep.password) + "\r\n"); !s)
    return s;
  for (;;) {
    auto line = read_line();
    if (!line) return std::unexpected(line.error());
    if (!line->starts_with(tag + " ")) continue;  // untagged data, e.g. CAPABILITY
    std::string status = line->substr(tag.size() + 1, 2);
    if (status == "OK") return {};
    return refused(*line);
  }
}

Result<std::string> Connection::read_line() {
  for (;;) {
    std::size_t nl = pending_.find('\n');
    if (nl != std::string::npos) {
      std::string line = pending_.substr(0, nl);
      pending_.erase(0, nl + 1);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      return line;
    }
    if (pending_.size() > 64 * 1024)
      return fail(Code::MailboxProtocol, "over-long line from " + label_);
    auto bytes = receive();
    if (!bytes) return std::unexpected(bytes.error());
    pending_.append(*bytes);
  }
}

Status Connection::send(std::string_view bytes) {
  if (trace_) trace_->client(bytes);
  sent_since_receive_ = true;
  while (!bytes.empty()) {
    size_t n = 0;
    CURLcode rc = curl_easy_send(h_.get(), bytes.data(), bytes.size(), &n);
    if (rc == CURLE_AGAIN) {
      SocketWait w = wait_socket(sock_, true, timeout_);
      if (w == SocketWait::TimedOut)
        return fail(Code::MailboxTimeout, "timed out sending to " + label_, "the server did not accept data within the mailbox timeout");
      if (w == SocketWait::Failed) return std::unexpected(io_error(CURLE_SEND_ERROR));
      continue;
    }
    if (rc != CURLE_OK) return std::unexpected(io_error(rc));
    bytes.remove_prefix(n);
  }
  return {};
}

Result<std::string_view> Connection::receive() {
  if (sent_since_receive_) ++round_trips_;  // what follows waits for the server's answer
  sent_since_receive_ = false;
  if (!pending_.empty()) {  // left over after read_line
    std::size_t n = std::min(pending_.size(), chunk_.size());
    std::copy_n(pending_.data(), n, chunk_.data());
    pending_.erase(0, n);
    return std::string_view(chunk_.data(), n);
  }
  for (;;) {
    size_t n = 0;
    CURLcode rc = curl_easy_recv(h_.get(), chunk_.data(), chunk_.size(), &n);
    if (rc == CURLE_AGAIN) {
      SocketWait w = wait_socket(sock_, false, timeout_);
      if (w == SocketWait::TimedOut)
        return fail(Code::MailboxTimeout,
                    "timed out waiting for " + label_ + " (no data for " +
                        std::to_string(timeout_.count() / 1000) + " s)",
                    "the server stalled; try again later");
      if (w == SocketWait::Failed) return std::unexpected(io_error(CURLE_RECV_ERROR));
      continue;
    }
    if (rc != CURLE_OK) return std::unexpected(io_error(rc));
    if (n == 0)
      return fail(Code::MailboxClosed, label_ + " closed the connection unexpectedly");
    if (trace_) trace_->server(std::string_view(chunk_.data(), n), logged_in_);
    return std::string_view(chunk_.data(), n);
  }
}

void Connection::abandon() {
  if (sock_ >= 0) shutdown_socket(sock_);
  sock_ = -1;
}

}  // namespace crmr
