// The connection settings of a configured mailbox, with its secret read at
// run time from the environment, a file or a command (never from the config).
#pragma once

#include <string>
#include <vector>

#include "cli/config/mailbox_config.h"
#include "core/mailbox_session.h"
#include "core/result.h"

namespace crmr {

// Build the endpoint of `m`, reading its secret now (for a mailbox with an
// oauth2 table the token is left empty: sign_in() of mailbox_signin.h gets it). `warnings` gets
// advice (a password file readable by others, TLS verification off).
// Failure: Scope::Mailbox, naming the mailbox and where the secret was looked
// for; the secret itself never appears in an error or a warning.
Result<MailboxEndpoint> mailbox_endpoint(const MailboxConfig& m,
                                         std::vector<std::string>& warnings);

// The error of a secret of `m` that cannot be had ("mailbox.secret",
// Scope::Mailbox, Retry::Never: a configuration problem): `what` after the
// mailbox's name.
Error mailbox_secret_error(const MailboxConfig& m, const std::string& what, const std::string& hint);

}  // namespace crmr
