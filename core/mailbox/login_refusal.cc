// Login refusals; see login_refusal.h.
#include "core/mailbox/login_refusal.h"

#include "core/base/ascii.h"
#include "core/base/normalize.h"

namespace crmr {
namespace {

// "Too many connections" / "Maximum number of connections from user+IP
// exceeded" (Dovecot's mail_max_userip_connections), without a response code:
// the server is busy with this client's other connections, not refusing it.
bool too_many_connections(std::string_view text) {
  const std::string t = ascii_lower(text);
  return t.find("too many connections") != std::string::npos ||
         t.find("too many simultaneous") != std::string::npos ||
         t.find("maximum number of connections") != std::string::npos;
}

}  // namespace

std::optional<LoginRefusal> parse_login_refusal(std::string_view line) {
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.remove_suffix(1);
  std::string_view rest;
  LoginRefusal r;
  if (line.starts_with("-ERR")) {
    rest = line.substr(4);
  } else {
    std::size_t sp = line.find(' ');
    if (sp == std::string_view::npos || sp == 0) return std::nullopt;
    std::string_view tag = line.substr(0, sp);
    std::string_view after = line.substr(sp + 1);
    std::string status = ascii_upper(after.substr(0, after.find(' ')));
    bool refusal = tag == "*" ? status == "BYE" : (status == "NO" || status == "BAD");
    if (!refusal || tag == "+") return std::nullopt;
    rest = after.substr(status.size());
  }
  r.text = std::string(line.substr(line.starts_with("-ERR") ? 0 : line.find(' ') + 1));
  while (rest.starts_with(' ')) rest.remove_prefix(1);
  if (rest.starts_with('[')) {
    std::size_t close = rest.find(']');
    if (close != std::string_view::npos) {
      std::string_view code = rest.substr(1, close - 1);
      r.code = ascii_upper(code.substr(0, code.find(' ')));
    }
  }
  return r;
}

Error login_refused(const std::string& where, const std::string& mechanism,
                    const LoginRefusal& r) {
  Error e;
  e.scope = Scope::Mailbox;
  e.message = "login refused by " + where + " (" + mechanism + "): " + r.text;
  if (r.code == "LOGIN-DELAY") {
    e.code = Code::MailboxLoginDelay;
    e.retry = Retry::Later;
    e.hint = "transient: the server allows only one login per interval; the next run tries "
             "again; not a password problem";
  } else if (r.code == "IN-USE") {
    e.code = Code::MailboxInUse;
    e.retry = Retry::Later;
    e.hint = "transient: another client holds the mailbox; the next run tries again; not a "
             "password problem";
  } else if (r.code == "UNAVAILABLE" || r.code == "SYS/TEMP" || too_many_connections(r.text)) {
    e.code = Code::MailboxUnavailable;
    e.retry = Retry::Later;
    e.hint = "transient: the server cannot log anyone in right now; the next run tries again; "
             "not a password problem";
  } else {
    e.code = Code::MailboxAuth;
    e.retry = Retry::Never;
    e.hint = r.code == "PRIVACYREQUIRED"
                 ? "the server wants TLS first: use imaps:// or pop3s://, or starttls = \"required\""
                 : "check the user name and password (or the OAuth2 token), and auth";
  }
  return e;
}

bool is_transient_login_refusal(const Error& e) {
  return e.code == Code::MailboxLoginDelay || e.code == Code::MailboxInUse ||
         e.code == Code::MailboxUnavailable;
}

}  // namespace crmr
