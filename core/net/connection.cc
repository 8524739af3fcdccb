// Connection over libcurl CONNECT_ONLY; see connection.h.
#include "core/net/connection.h"

#include <algorithm>
#include <cctype>

#include "core/net/socket_wait.h"

namespace crmr {
namespace {

constexpr std::size_t kChunk = 256 * 1024;

std::string scheme_of(std::string_view url) {
  std::string s(url.substr(0, url.find("://")));
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
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
    return fail("mailbox.url", "bad mailbox URL " + label + ": scheme must be imap, imaps, pop3 or pop3s",
                Scope::Mailbox, Retry::Never);
  auto created = CurlHandle::create();
  if (!created) return std::unexpected(created.error());
  CurlHandle h = std::move(*created);
  CURL* c = h.get();
  std::vector<std::string> secrets;
  if (!ep.password.empty()) secrets.push_back(ep.password);
  if (!ep.oauth2_token.empty()) secrets.push_back(ep.oauth2_token);

  curl_easy_setopt(c, CURLOPT_URL, ep.url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "imap,imaps,pop3,pop3s");
  curl_easy_setopt(c, CURLOPT_USERNAME, ep.user.c_str());
  if (!ep.oauth2_token.empty()) {
    curl_easy_setopt(c, CURLOPT_XOAUTH2_BEARER, ep.oauth2_token.c_str());
    curl_easy_setopt(c, CURLOPT_LOGIN_OPTIONS, "AUTH=XOAUTH2");
  } else {
    curl_easy_setopt(c, CURLOPT_PASSWORD, ep.password.c_str());
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

  CURLcode rc = curl_easy_perform(c);
  if (rc != CURLE_OK) return std::unexpected(curl_error(rc, label, h, secrets));
  curl_socket_t sock = CURL_SOCKET_BAD;
  rc = curl_easy_getinfo(c, CURLINFO_ACTIVESOCKET, &sock);
  if (rc != CURLE_OK || sock == CURL_SOCKET_BAD)
    return fail("mailbox.network", "no socket after connecting to " + label, Scope::Mailbox,
                Retry::Later);
  Connection conn(std::move(h), std::move(label), std::move(secrets), timeout);
  conn.sock_ = static_cast<std::int64_t>(sock);
  return conn;
}

Error Connection::io_error(CURLcode code) const { return curl_error(code, label_, h_, secrets_); }

Status Connection::send(std::string_view bytes) {
  while (!bytes.empty()) {
    size_t n = 0;
    CURLcode rc = curl_easy_send(h_.get(), bytes.data(), bytes.size(), &n);
    if (rc == CURLE_AGAIN) {
      SocketWait w = wait_socket(sock_, true, timeout_);
      if (w == SocketWait::TimedOut)
        return fail("mailbox.timeout", "timed out sending to " + label_, Scope::Mailbox,
                    Retry::Later, "the server did not accept data within the mailbox timeout");
      if (w == SocketWait::Failed) return std::unexpected(io_error(CURLE_SEND_ERROR));
      continue;
    }
    if (rc != CURLE_OK) return std::unexpected(io_error(rc));
    bytes.remove_prefix(n);
  }
  return {};
}

Result<std::string_view> Connection::receive() {
  for (;;) {
    size_t n = 0;
    CURLcode rc = curl_easy_recv(h_.get(), chunk_.data(), chunk_.size(), &n);
    if (rc == CURLE_AGAIN) {
      SocketWait w = wait_socket(sock_, false, timeout_);
      if (w == SocketWait::TimedOut)
        return fail("mailbox.timeout",
                    "timed out waiting for " + label_ + " (no data for " +
                        std::to_string(timeout_.count() / 1000) + " s)",
                    Scope::Mailbox, Retry::Later, "the server stalled; try again later");
      if (w == SocketWait::Failed) return std::unexpected(io_error(CURLE_RECV_ERROR));
      continue;
    }
    if (rc != CURLE_OK) return std::unexpected(io_error(rc));
    if (n == 0)
      return fail("mailbox.closed", label_ + " closed the connection unexpectedly",
                  Scope::Mailbox, Retry::Later);
    return std::string_view(chunk_.data(), n);
  }
}

void Connection::abandon() {
  if (sock_ >= 0) shutdown_socket(sock_);
  sock_ = -1;
}

}  // namespace crmr
