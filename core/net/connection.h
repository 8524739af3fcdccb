// Connection: one connected, TLS-negotiated, logged-in socket to an IMAP or
// POP3 server. libcurl does connect, TLS (implicit or STARTTLS), and
// authentication (LOGIN/USER-PASS/SASL incl. XOAUTH2) in CURLOPT_CONNECT_ONLY
// mode; afterwards the session classes speak the protocol themselves through
// send()/receive(). Owns the CurlHandle. Internal to core/net.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "core/net/curl_handle.h"
#include "core/net/mailbox_session.h"
#include "core/result.h"

namespace crmr {

class Connection {
 public:
  // Connect and log in to ep.url. Errors as curl_error(): Scope::Mailbox.
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

  // Close without the protocol's goodbye: nothing more is sent (libcurl's own
  // LOGOUT/QUIT at cleanup goes nowhere), so a POP3 server does not commit DELE.
  void abandon();

 private:
  Connection(CurlHandle h, std::string label, std::vector<std::string> secrets,
             std::chrono::milliseconds timeout);
  Error io_error(CURLcode code) const;

  CurlHandle h_;
  std::string label_;
  std::vector<std::string> secrets_;
  std::chrono::milliseconds timeout_;
  std::int64_t sock_ = -1;
  std::string chunk_;
};

}  // namespace crmr
