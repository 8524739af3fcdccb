// Connection: one connected, TLS-negotiated, logged-in socket to an IMAP or
// POP3 server. libcurl does connect, TLS (implicit or STARTTLS), and
// authentication (SASL incl. XOAUTH2, APOP; chosen by CURLOPT_LOGIN_OPTIONS)
// in CURLOPT_CONNECT_ONLY mode; the protocol's own clear-text command (IMAP
// LOGIN, POP3 USER/PASS), which libcurl 7.88 cannot be told to use alone, is
// sent here. The mechanisms of MailboxEndpoint::auth are tried in order, one
// connection each. While libcurl logs in, its debug callback hands us the
// server's lines: a refusal keeps the server's own text and response code
// (login_refusal.h), and the protocol trace sees the whole conversation.
// Afterwards the session classes speak the protocol themselves through
// send()/receive(). Owns the CurlHandle. Internal to core/mailbox.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/mailbox/curl_error.h"
#include "core/mailbox/login_mechanism.h"
#include "core/mailbox/login_refusal.h"
#include "core/mailbox/protocol_trace.h"
#include "core/mailbox_session.h"
#include "core/result.h"

namespace crmr {

class Connection {
 public:
  struct Attempt;  // the state of open()'s attempts (connection.cc)

  // Connect and log in to ep.url, trying the mechanisms of ep.auth in order.
  // Errors (Scope::Mailbox): as curl_error() for network and TLS trouble; a
  // refused login as login_refused() with the server's text (transient codes
  // such as [LOGIN-DELAY] are Retry::Later and end the attempts); no
  // mechanism of the list offered: "mailbox.auth" naming what the server offers.
  static Result<Connection> open(const MailboxEndpoint& ep);

  Connection(Connection&&) noexcept = default;
  Connection& operator=(Connection&&) noexcept = default;
  // Cuts the socket (abandon()) before libcurl closes it: the session sends
  // its own LOGOUT/QUIT first when it closes cleanly.
  ~Connection();

  // Send all of `bytes`. Error: the connection failed or stalled for the timeout.
  Status send(std::string_view bytes);
  // Wait for and return the next bytes from the server (at least one; valid
  // until the next call). Error: closed, failed, or nothing for the timeout.
  Result<std::string_view> receive();

  // The server's URL without secrets, for messages.
  const std::string& label() const { return label_; }
  // Every secret of the endpoint, to mask out of text shown to users.
  const std::vector<std::string>& secrets() const { return secrets_; }
  // Round trips so far: connect and login (each server answer after the
  // client spoke), then each receive() after a send(). Commands sent
  // together (pipelined) and answered together count once.
  std::uint64_t round_trips() const { return round_trips_; }
  // IMAP: the capabilities the server announced with its answer to the login
  // (RFC 3501 7.2.1 allows it; Dovecot does); empty when it did not.
  const std::string& login_capabilities() const { return login_capabilities_; }

  // The mechanism that logged in ("plain", "user", ...).
  const std::string& mechanism() const { return mechanism_; }

  // Close without the protocol's goodbye: nothing more is sent (libcurl's own
  // LOGOUT/QUIT at cleanup goes nowhere), so a POP3 server does not commit DELE.
  void abandon();

 private:
  Connection(CurlHandle h, std::string label, std::vector<std::string> secrets,
             std::chrono::milliseconds timeout);
  Error io_error(CURLcode code) const;
  static Result<Connection> attempt(const MailboxEndpoint& ep, LoginMechanism m, Attempt& a);
  // IMAP LOGIN or POP3 USER/PASS over the connected socket. Error: the
  // server's refusal (login_refused) or an I/O error.
  Status login_with_command(const MailboxEndpoint& ep, bool pop3,
                            std::optional<LoginRefusal>& refusal);
  // The next line from the server (without CRLF); bytes after it stay for receive().
  Result<std::string> read_line();

  // Before h_: the share outlives the handle that uses it.
  std::shared_ptr<TlsSessions> tls_sessions_;
  CurlHandle h_;
  std::string label_;
  std::vector<std::string> secrets_;
  std::chrono::milliseconds timeout_;
  std::int64_t sock_ = -1;
  std::string chunk_;
  std::string pending_;    // received but not yet returned (after read_line)
  std::string mechanism_;
  std::shared_ptr<ProtocolTrace> trace_;
  bool logged_in_ = false;  // after login, received chunks are traced cut short
  std::uint64_t round_trips_ = 0;
  bool sent_since_receive_ = false;
  std::string login_capabilities_;
};

}  // namespace crmr
