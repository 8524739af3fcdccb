// The POP3 MailboxSession: raw, pipelined POP3 (CAPA, STAT, UIDL, RETR, DELE,
// QUIT; pop3_reader.h frames the replies) over a Connection that libcurl
// opened and logged in. DELE takes effect only at a clean close() (QUIT);
// a session destroyed without close() cuts the connection and nothing is
// deleted. Internal to core/mailbox; callers use open_mailbox().
#pragma once

#include <memory>

#include "core/mailbox/connection.h"
#include "core/mailbox_session.h"

namespace crmr {

// What a POP3 session can do (MailboxSession::caps()).
inline MailboxCapabilities pop3_capabilities() {
  return MailboxCapabilities{.remove = true};
}

// Take over a logged-in POP3 connection: asks CAPA.
Result<std::unique_ptr<MailboxSession>> open_pop3_session(Connection conn);

}  // namespace crmr
