// GreetingWatch: watches libcurl connect and log in to a mailbox, and explains
// the commonest URL mistakes instead of libcurl's bare error or a timeout:
// a plain server on an imaps:// or pop3s:// URL (TLS "wrong version number"),
// a server of the other protocol (a POP3 "+OK" greeting to imap://, an IMAP
// "* OK" to pop3://: libcurl would wait for the timeout; the watch stops the
// connect within about a second), and silence on a TLS-only port reached with
// imap:// or pop3://. Internal to core/mailbox, used by Connection::open.
#pragma once

#include <curl/curl.h>

#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace crmr {

class GreetingWatch {
 public:
  // `scheme`: imap, imaps, pop3 or pop3s (lower case).
  explicit GreetingWatch(std::string scheme);
  GreetingWatch(const GreetingWatch&) = delete;
  GreetingWatch& operator=(const GreetingWatch&) = delete;

  // Watch the connect of `c` (sets its progress callback, which points at
  // this object: it must outlive curl_easy_perform); off() after.
  void on(CURL* c);
  void off(CURL* c);
  // A line the server sent while libcurl connects and logs in (from the
  // connection's debug callback); only the first one is looked at.
  void server_line(std::string_view line);

  // After curl_easy_perform failed with `rc`: `e` (curl_error's Error for
  // it, naming `label`) with a message and hint that say what is wrong with
  // the URL, when the watch saw one of the mistakes above; else `e` unchanged.
  Error explain(CURLcode rc, const std::string& label, Error e) const;

 private:
  static int on_progress(void* self, curl_off_t, curl_off_t, curl_off_t, curl_off_t);
  bool imap() const { return scheme_.starts_with("imap"); }
  bool tls() const { return scheme_.ends_with("s"); }

  std::string scheme_;
  std::string first_line_;  // the server's first line, as received
  bool received_ = false;   // anything at all came from the server
  bool wrong_protocol_ = false;
};

}  // namespace crmr
