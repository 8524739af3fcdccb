// GreetingWatch; see greeting_watch.h.
#include "core/mailbox/greeting_watch.h"

#include <cctype>
#include <string_view>
#include <utility>

namespace crmr {
namespace {

constexpr std::size_t kMaxShown = 80;  // of the greeting, in messages

bool starts_with_nocase(const std::string& s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i)
    if (std::toupper(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
  return true;
}

std::string printable(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  if (s.size() > kMaxShown) s = s.substr(0, kMaxShown) + "...";
  for (char& c : s)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  return s;
}

}  // namespace

GreetingWatch::GreetingWatch(std::string scheme) : scheme_(std::move(scheme)) {}

void GreetingWatch::on(CURL* c) {
  curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, &GreetingWatch::on_progress);
  curl_easy_setopt(c, CURLOPT_XFERINFODATA, this);
  curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
}

void GreetingWatch::off(CURL* c) {
  curl_easy_setopt(c, CURLOPT_NOPROGRESS, 1L);
  curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, nullptr);
  curl_easy_setopt(c, CURLOPT_XFERINFODATA, nullptr);
}

void GreetingWatch::server_line(std::string_view line) {
  if (received_) return;
  received_ = true;
  first_line_ = std::string(line);
  // An IMAP greeting is "* OK", "* PREAUTH" or "* BYE"; a POP3 one "+OK" or "-ERR".
  bool imap_greeting = first_line_.starts_with("* ");
  bool pop3_greeting = starts_with_nocase(first_line_, "+OK") || starts_with_nocase(first_line_, "-ERR");
  wrong_protocol_ = imap() ? pop3_greeting : imap_greeting;
}

// Called about once a second (and on every transfer step): a non-zero
// return stops curl_easy_perform with CURLE_ABORTED_BY_CALLBACK.
int GreetingWatch::on_progress(void* self, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return static_cast<GreetingWatch*>(self)->wrong_protocol_ ? 1 : 0;
}

Error GreetingWatch::explain(CURLcode rc, const std::string& label, Error e) const {
  if (wrong_protocol_) {
    e.code = Code::MailboxUrl;
    e.retry = Retry::Never;
    e.message = label + (imap() ? " is not an IMAP server" : " is not a POP3 server") +
                ": it greeted with \"" + printable(first_line_) + "\", which is " +
                (imap() ? "POP3" : "IMAP");
    e.hint = imap() ? "use pop3:// or pop3s:// for this port, or the IMAP port: 143, or 993 with imaps://"
                    : "use imap:// or imaps:// for this port, or the POP3 port: 110, or 995 with pop3s://";
    return e;
  }
  if (tls() && rc == CURLE_SSL_CONNECT_ERROR && !received_) {
    e.message = label + " did not answer in TLS: " + e.message;
    e.hint = std::string("this looks like a plain port: use ") + (imap() ? "imap://" : "pop3://") +
             " with this port, where STARTTLS is used when offered, or " + scheme_ +
             ":// with the TLS port, usually " + (imap() ? "993" : "995");
    return e;
  }
  if (!tls() && rc == CURLE_OPERATION_TIMEDOUT && !received_) {
    e.hint = std::string("the server sent no greeting; if this is a TLS port, usually ") +
             (imap() ? "993" : "995") + ", use " + scheme_ + "s://";
    return e;
  }
  return e;
}

}  // namespace crmr
