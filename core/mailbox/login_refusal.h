// A server's refusal of a login, read from its own reply line, and what it
// means for the next run (RFC 2449 / RFC 3206 POP3 codes, RFC 5530 IMAP
// codes). libcurl reports every refusal as "Login denied"; the server's line
// says why. Internal to core/mailbox.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace crmr {

struct LoginRefusal {
  std::string text;  // the reply without an IMAP tag: "-ERR [LOGIN-DELAY] ...", "NO [AUTHENTICATIONFAILED] ..."
  std::string code;  // its response code, upper case, without brackets or arguments; may be empty
};

// The refusal in one server line: POP3 "-ERR ...", IMAP "TAG NO|BAD ..." or
// "* BYE ...". nullopt for any other line.
std::optional<LoginRefusal> parse_login_refusal(std::string_view line);

// The Error for a refused login at `where` (a scrubbed URL) with `mechanism`:
// LOGIN-DELAY, IN-USE, UNAVAILABLE and SYS/TEMP (and a text saying there are too
// many connections) are transient
// (mailbox.login_delay / mailbox.in_use / mailbox.unavailable, Retry::Later:
// the next run tries again); everything else is "mailbox.auth", Retry::Never.
// The server's text is kept in the message.
Error login_refused(const std::string& where, const std::string& mechanism,
                    const LoginRefusal& r);

// True for an Error that login_refused() made transient.
bool is_transient_login_refusal(const Error& e);

}  // namespace crmr
