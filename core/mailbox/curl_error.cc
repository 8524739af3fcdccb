// The mapping of libcurl failures; see curl_error.h.
#include "core/mailbox/curl_error.h"

#include "core/mailbox/protocol_trace.h"

namespace crmr {

std::string scrub_url(std::string_view url) {
  std::size_t scheme = url.find("://");
  std::size_t host = scheme == std::string_view::npos ? 0 : scheme + 3;
  std::size_t end = url.find_first_of("/?#", host);
  std::string_view authority = url.substr(host, end == std::string_view::npos ? url.npos : end - host);
  std::size_t at = authority.rfind('@');
  std::string out(url.substr(0, host));
  out += at == std::string_view::npos ? authority : authority.substr(at + 1);
  if (end != std::string_view::npos) {
    std::string_view path = url.substr(end);
    path = path.substr(0, path.find_first_of("?#"));
    out += path;
  }
  return out;
}

Error curl_error(CURLcode code, const std::string& where, const CurlHandle& h,
                 const std::vector<std::string>& secrets) {
  std::string detail(h.error_text());
  if (detail.empty()) detail = curl_easy_strerror(code);
  while (!detail.empty() && (detail.back() == '\n' || detail.back() == '\r')) detail.pop_back();
  detail = mask_secrets(std::move(detail), secrets);
  Error e;
  e.scope = Scope::Mailbox;
  e.retry = Retry::Later;
  switch (code) {
    case CURLE_LOGIN_DENIED:
      e.code = Code::MailboxAuth;
      e.message = "login refused by " + where + ": " + detail;
      e.hint = "check the user name and password (or the OAuth2 token)";
      e.retry = Retry::Never;
      break;
    case CURLE_PEER_FAILED_VERIFICATION:
      e.code = Code::MailboxTls;
      e.message = "TLS certificate verify failed for " + where + ": " + detail;
      e.hint = "set tls_ca_file to the CA certificate that signed the server's certificate "
               "(or, only for a test server, tls_verify = false)";
      e.retry = Retry::Never;
      break;
    case CURLE_USE_SSL_FAILED:
      e.code = Code::MailboxTls;
      e.message = where + " does not offer STARTTLS: " + detail;
      e.hint = "use imaps:// or pop3s://, or starttls = \"optional\"";
      e.retry = Retry::Never;
      break;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CACERT_BADFILE:
      e.code = Code::MailboxTls;
      e.message = "TLS handshake with " + where + " failed: " + detail;
      e.hint = code == CURLE_SSL_CACERT_BADFILE ? "check tls_ca_file" : "";
      break;
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
      e.code = Code::MailboxUrl;
      e.message = "bad mailbox URL " + where + ": " + detail;
      e.hint = "use imap://, imaps://, pop3:// or pop3s://host[:port]";
      e.retry = Retry::Never;
      break;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
      e.code = Code::MailboxConnect;
      e.message = "cannot connect to " + where + ": " + detail;
      break;
    case CURLE_OPERATION_TIMEDOUT:
      e.code = Code::MailboxTimeout;
      e.message = "timed out talking to " + where + ": " + detail;
      e.hint = "transient: the server did not answer within the mailbox timeout (timeout_s); "
               "the next run tries again";
      break;
    case CURLE_WEIRD_SERVER_REPLY:
      e.code = Code::MailboxProtocol;
      e.message = "unexpected reply from " + where + ": " + detail;
      break;
    default:
      e.code = Code::MailboxNetwork;
      e.message = "network error with " + where + ": " + detail;
      break;
  }
  return e;
}

}  // namespace crmr
