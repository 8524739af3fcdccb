// Signing in to a configured mailbox: its endpoint with the secret read now,
// and for a mailbox with an oauth2 table its XOAUTH2 token obtained by the
// client-credentials grant (the CRM's token code, core/crm/client_credentials.h),
// as Exchange Online requires of an app-only mailbox reader.
//
// MailboxTokens is the run's token cache: one ClientCredentials per (token
// URL, client, scope, credential), so the mailboxes of one app registration
// share one token, refreshed when it has less than 5 minutes left. A login the
// server refuses with such a token is tried once more with a new token (the
// old one may have been revoked, or the server's clock be ahead of ours).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "cli/config/mailbox_config.h"
#include "core/crm/client_credentials.h"
#include "core/mailbox_session.h"
#include "core/result.h"

namespace crmr {

class MailboxTokens {
 public:
  // The token for `m` (which has an oauth2 table): held, or asked for now.
  // Failure: "mailbox.secret" (its secret or certificate cannot be read:
  // a configuration error) or "mailbox.auth" (the token endpoint refused or
  // could not be reached), Scope::Mailbox, naming the mailbox.
  Result<std::string> token(const MailboxConfig& m, std::vector<std::string>& warnings);
  // The mail server refused `used`: the next token() for `m` asks for a new one.
  void refused(const MailboxConfig& m, const std::string& used);
  // Token requests sent so far (every attempt), for tests and `check`.
  std::size_t requests() const;

 private:
  Result<dataverse::ClientCredentials*> source(const MailboxConfig& m,
                                               std::vector<std::string>& warnings);
  // Mailboxes read at once sign in from their own threads: one at a time
  // asks for (or refreshes) a token, the others then take the one it got.
  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<dataverse::ClientCredentials>> sources_;
};

// Open mailbox `m`: its endpoint (mailbox_endpoint(), plus the token from
// `tokens` for an oauth2 table), `prepare` applied to it (e.g. a protocol
// trace), then open_mailbox(); with an oauth2 table, a refused login
// ("mailbox.auth") is tried once more with a new token. `warnings` gets
// advice on secret files and TLS.
Result<std::unique_ptr<MailboxSession>> sign_in(const MailboxConfig& m, MailboxTokens& tokens,
                                                std::vector<std::string>& warnings,
                                                const std::function<void(MailboxEndpoint&)>& prepare = {});

}  // namespace crmr
