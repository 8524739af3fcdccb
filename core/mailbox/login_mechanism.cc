// Login mechanisms and server offers; see login_mechanism.h.
#include "core/mailbox/login_mechanism.h"

#include <array>
#include <cctype>
#include <utility>

#include "core/mailbox_session.h"
#include "core/base/normalize.h"
#include "core/base/ascii.h"

namespace crmr {
namespace {

struct Entry {
  LoginMechanism m;
  const char* name;  // in the configuration
  const char* sasl;  // SASL name; empty for the protocol's own commands
};

constexpr std::array<Entry, 8> kMechanisms{{
    {LoginMechanism::Plain, "plain", "PLAIN"},
    {LoginMechanism::Login, "login", "LOGIN"},
    {LoginMechanism::CramMd5, "cram-md5", "CRAM-MD5"},
    {LoginMechanism::Xoauth2, "xoauth2", "XOAUTH2"},
    {LoginMechanism::Gssapi, "gssapi", "GSSAPI"},
    {LoginMechanism::Ntlm, "ntlm", "NTLM"},
    {LoginMechanism::User, "user", ""},
    {LoginMechanism::Apop, "apop", ""},
}};

const Entry& entry(LoginMechanism m) {
  for (const auto& e : kMechanisms)
    if (e.m == m) return e;
  return kMechanisms[0];
}


}  // namespace

const std::vector<std::string>& login_mechanism_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v;
    for (const auto& e : kMechanisms) v.emplace_back(e.name);
    return v;
  }();
  return names;
}

std::optional<LoginMechanism> login_mechanism_from_name(std::string_view name) {
  std::string lower = ascii_lower(name);
  for (const auto& e : kMechanisms)
    if (lower == e.name) return e.m;
  return std::nullopt;
}

std::string login_mechanism_name(LoginMechanism m) { return entry(m).name; }

std::string curl_login_options(LoginMechanism m) {
  if (m == LoginMechanism::User) return {};
  if (m == LoginMechanism::Apop) return "AUTH=+APOP";
  return std::string("AUTH=") + entry(m).sasl;
}

std::vector<LoginMechanism> login_plan(const std::vector<std::string>& names, bool oauth2) {
  std::vector<LoginMechanism> plan;
  for (const auto& n : names)
    if (auto m = login_mechanism_from_name(n)) plan.push_back(*m);
  if (!plan.empty()) return plan;
  if (oauth2) return {LoginMechanism::Xoauth2};
  return {LoginMechanism::Plain, LoginMechanism::Login, LoginMechanism::User};
}

void ServerOffer::read(std::string_view line) {
  std::string u = ascii_upper(line);
  if (pop3_) {
    if (u.starts_with("+OK") && !known_) {  // the greeting: an APOP timestamp <...@...>
      std::size_t lt = line.find('<');
      std::size_t gt = lt == std::string_view::npos ? lt : line.find('>', lt);
      apop_ = gt != std::string_view::npos && line.substr(lt, gt - lt).find('@') != std::string_view::npos;
      known_ = true;
    } else if (u.starts_with("SASL ")) {
      std::string_view rest = std::string_view(u).substr(5);
      while (!rest.empty()) {
        std::size_t sp = rest.find(' ');
        if (sp != 0) sasl_.insert(std::string(rest.substr(0, sp)));
        if (sp == std::string_view::npos) break;
        rest.remove_prefix(sp + 1);
      }
    }
    return;
  }
  // IMAP: CAPABILITY data or a [CAPABILITY ...] response code anywhere in the line.
  std::size_t cap = u.find("CAPABILITY ");
  if (cap == std::string::npos) return;
  known_ = true;
  std::string_view rest = std::string_view(u).substr(cap + 11);
  rest = rest.substr(0, rest.find(']'));
  bool disabled = false;
  while (!rest.empty()) {
    std::size_t sp = rest.find(' ');
    std::string_view word = rest.substr(0, sp);
    if (word.starts_with("AUTH=")) sasl_.insert(std::string(word.substr(5)));
    if (word == "LOGINDISABLED") disabled = true;
    if (sp == std::string_view::npos) break;
    rest.remove_prefix(sp + 1);
  }
  login_disabled_ = disabled;  // the latest list counts (it changes after STARTTLS)
}

bool ServerOffer::offers(LoginMechanism m) const {
  if (!known_) return true;
  switch (m) {
    case LoginMechanism::User: return pop3_ || !login_disabled_;
    case LoginMechanism::Apop: return pop3_ && apop_;
    default: return sasl_.contains(entry(m).sasl);
  }
}

std::string ServerOffer::describe() const {
  std::string out;
  if (!sasl_.empty()) {
    out = "SASL";
    for (const auto& s : sasl_) out += " " + s;
  }
  if (apop_) out += out.empty() ? "APOP" : ", APOP";
  if (!pop3_ && !login_disabled_) out += out.empty() ? "LOGIN" : ", LOGIN";
  if (pop3_) out += out.empty() ? "USER/PASS" : ", USER/PASS";
  return out;
}

}  // namespace crmr
