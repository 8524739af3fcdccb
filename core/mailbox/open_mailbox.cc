// open_mailbox(): the factory of mailbox_session.h; the scheme picks the protocol.
#include <cctype>

#include "core/mailbox/connection.h"
#include "core/mailbox/imap_session.h"
#include "core/mailbox_session.h"
#include "core/mailbox/pop3_session.h"
#include "core/base/ascii.h"

namespace crmr {

Result<std::unique_ptr<MailboxSession>> open_mailbox(const MailboxEndpoint& ep) {
  auto conn = Connection::open(ep);
  if (!conn) return std::unexpected(conn.error());
  std::string scheme = ascii_lower(ep.url.substr(0, 4));
  if (scheme == "pop3") return open_pop3_session(std::move(*conn));
  return open_imap_session(std::move(*conn), ep.first_folder);
}

}  // namespace crmr
