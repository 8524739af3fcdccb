// open_mailbox(): the factory of mailbox_session.h; the scheme picks the protocol.
#include <cctype>

#include "core/mailbox/connection.h"
#include "core/mailbox/imap_session.h"
#include "core/mailbox_session.h"
#include "core/mailbox/pop3_session.h"
#include "core/base/ascii.h"

namespace crmr {

namespace {

bool is_pop3_url(std::string_view url) { return ascii_lower(url.substr(0, 4)) == "pop3"; }

}  // namespace

MailboxCapabilities mailbox_capabilities(std::string_view url) {
  return is_pop3_url(url) ? pop3_capabilities() : imap_capabilities();
}

Result<std::unique_ptr<MailboxSession>> open_mailbox(const MailboxEndpoint& ep) {
  auto conn = Connection::open(ep);
  if (!conn) return std::unexpected(conn.error());
  if (is_pop3_url(ep.url)) return open_pop3_session(std::move(*conn));
  return open_imap_session(std::move(*conn), ep.first_folder);
}

}  // namespace crmr
