// Login mechanisms of a mailbox (the `auth` setting): their names, how each
// is asked of libcurl (CURLOPT_LOGIN_OPTIONS), and what a server offers, read
// from its greeting and capability lines. Internal to core/mailbox.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace crmr {

enum class LoginMechanism { Plain, Login, CramMd5, Xoauth2, Gssapi, Ntlm, User, Apop };

// "plain" -> Plain ...; nullopt for an unknown name. Case-insensitive.
std::optional<LoginMechanism> login_mechanism_from_name(std::string_view name);
std::string login_mechanism_name(LoginMechanism m);

// The value for CURLOPT_LOGIN_OPTIONS ("AUTH=PLAIN", "AUTH=+APOP"), or empty
// for User: libcurl 7.88 cannot be told to use only the protocol's own
// clear-text command (IMAP LOGIN, POP3 USER/PASS), so the connection sends it.
std::string curl_login_options(LoginMechanism m);

// The mechanisms to try, in order, for a mailbox whose `auth` list is
// `names` (already validated); empty: the default: XOAUTH2 with a token,
// else PLAIN, LOGIN, then the protocol's own command. Never GSSAPI or NTLM
// unless named.
std::vector<LoginMechanism> login_plan(const std::vector<std::string>& names, bool oauth2);

// What a server offers, gathered from the lines it sent before login.
class ServerOffer {
 public:
  explicit ServerOffer(bool pop3) : pop3_(pop3) {}
  // Read one server line (greeting, CAPABILITY/CAPA data or a response code).
  void read(std::string_view line);
  bool known() const { return known_; }
  // Whether `m` can be tried against this server (unknown offers: yes).
  bool offers(LoginMechanism m) const;
  // "SASL PLAIN LOGIN GSSAPI, APOP" for messages; "nothing" when empty.
  std::string describe() const;

 private:
  bool pop3_;
  bool known_ = false;
  bool apop_ = false;
  bool login_disabled_ = false;
  std::set<std::string> sasl_;  // upper case
};

}  // namespace crmr
