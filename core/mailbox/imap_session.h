// The IMAP MailboxSession: our own tagged commands and the literal-aware
// parser (imap_parser.h) over a Connection that libcurl opened and logged in.
// Internal to core/mailbox; callers use open_mailbox().
#pragma once

#include <memory>

#include "core/mailbox/connection.h"
#include "core/mailbox_session.h"

namespace crmr {

// What an IMAP session can do (MailboxSession::caps()).
inline MailboxCapabilities imap_capabilities() {
  return MailboxCapabilities{
      .folders = true, .persistent_uids = true, .flags = true, .move = true, .remove = true};
}

// Take over a logged-in IMAP connection: reads its capabilities (from the
// login answer, else CAPABILITY) and namespace, and selects `first_folder`
// at once when it is INBOX (see ImapSession::start). Error: the server fails
// or garbles that first exchange (Scope::Mailbox).
Result<std::unique_ptr<MailboxSession>> open_imap_session(Connection conn,
                                                          const std::string& first_folder = {});

}  // namespace crmr
