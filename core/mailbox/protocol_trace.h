// ProtocolTrace: the IMAP/POP3 conversation of one mailbox connection as
// text lines for a support trace ("C: ..." sent, "S: ..." received), with
// every secret masked: the arguments of IMAP LOGIN after the user name,
// POP3 PASS, the digest of POP3 APOP, SASL initial responses (AUTHENTICATE /
// AUTH <mech> <base64>), every client line of a SASL exchange (PLAIN, LOGIN,
// XOAUTH2 ...), and any occurrence of the endpoint's password or token.
// Pure text handling: the caller feeds bytes, the sink gets lines. Message
// contents after login are cut short (kBulkBytes per received chunk).
// Internal to core/mailbox.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace crmr {

// `text` with every occurrence of each secret (3 characters or more) as "***".
std::string mask_secrets(std::string text, const std::vector<std::string>& secrets);

class ProtocolTrace {
 public:
  using Sink = std::function<void(std::string_view line)>;
  static constexpr std::size_t kLineMax = 400;     // longer lines are cut with "..."
  static constexpr std::size_t kBulkBytes = 2048;  // traced per received chunk after login

  // An empty sink makes a trace that does nothing.
  ProtocolTrace(Sink sink, std::vector<std::string> secrets);

  bool enabled() const { return static_cast<bool>(sink_); }
  // Bytes the client sent (whole lines; a partial last line is traced as is).
  void client(std::string_view bytes);
  // Bytes the server sent. `bulk`: after login, where a chunk may carry
  // message contents: only its first kBulkBytes are traced.
  void server(std::string_view bytes, bool bulk = false);
  // A note from the client side (which mechanism is tried, a reconnect).
  void note(std::string_view text);

  // `line` (one client line, without CRLF) with its secrets masked; updates
  // the SASL state. Exposed for tests.
  std::string mask_client_line(std::string_view line);

 private:
  void emit(std::string_view prefix, std::string_view line);

  Sink sink_;
  std::vector<std::string> secrets_;
  bool in_sasl_ = false;  // between AUTHENTICATE/AUTH and the server's final answer
};

}  // namespace crmr
