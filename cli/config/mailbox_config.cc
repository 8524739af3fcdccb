#include "cli/config/mailbox_config.h"

#include <algorithm>
#include <cctype>
#include <algorithm>
#include <chrono>
#include <set>

#include "cli/config/config_checker.h"
#include "cli/dates.h"
#include "core/base/ascii.h"
#include "core/mailbox_session.h"

namespace crmr {
namespace {

constexpr std::initializer_list<const char*> kKeys = {
    "name", "url", "user", "password_env", "password_file", "oauth2_token_env",
    "oauth2_token_command", "folders", "role", "after", "since", "all", "tls_ca_file",
    "tls_verify", "starttls", "batch_size", "timeout_s", "quarantine_folder",
    "max_messages_per_run", "max_bytes_per_run", "max_seconds_per_run", "auth", "oauth2",
    // never allowed, each reported with its own explanation:
    "password", "oauth2_token"};

std::int64_t to_unix(const toml::date& d) {
  using namespace std::chrono;
  sys_days days{year{d.year} / month{d.month} / day{d.day}};
  return days.time_since_epoch().count() * 86400;
}

// since: a TOML date (2026-01-01), a date-time (UTC unless it has an
// offset), or the same as a string.
void read_since(ConfigChecker& c, const toml::node& n, const std::string& s, MailboxConfig& m) {
  if (auto d = n.value<toml::date>()) {
    m.since = to_unix(*d);
  } else if (auto dt = n.value<toml::date_time>()) {
    std::int64_t t = to_unix(dt->date) + dt->time.hour * 3600 + dt->time.minute * 60 +
                     dt->time.second;
    if (dt->offset) t -= static_cast<std::int64_t>(dt->offset->minutes) * 60;
    m.since = t;
  } else if (auto str = n.value_exact<std::string>(); str && parse_cli_date(*str)) {
    m.since = parse_cli_date(*str);
  } else {
    c.problem(n, s + ".since must be a date (since = 2026-01-01)");
  }
}

void read_url(ConfigChecker& c, const toml::table& t, const std::string& s, MailboxConfig& m) {
  const toml::node* n = t.get("url");
  if (!n) return;
  static const char* schemes[] = {"imap://", "imaps://", "pop3://", "pop3s://"};
  bool scheme_ok = false;
  std::size_t host_at = 0;
  for (const char* p : schemes) {
    if (m.url.starts_with(p)) {
      scheme_ok = true;
      host_at = std::string_view(p).size();
    }
  }
  if (!scheme_ok) {
    c.problem(*n, s + ".url must start with imap://, imaps://, pop3:// or pop3s://");
  } else if (host_at >= m.url.size() || m.url[host_at] == '/' || m.url[host_at] == ':') {
    c.problem(*n, s + ".url has no host name");
  } else if (std::string u = m.url; std::transform(u.begin(), u.end(), u.begin(), ::toupper),
             u.find(";AUTH=") != std::string::npos) {
    c.problem(*n, s + ".url must not name the login mechanism; write auth = \"plain\" (or a "
                      "list) instead, see crm-router.conf(5)");
  } else if (m.url.find('@', host_at) != std::string::npos) {
    c.problem(*n, s + ".url must not contain a user or password; use user and password_env");
  }
}

void read_folders(ConfigChecker& c, const toml::table& t, const std::string& s,
                  MailboxConfig& m) {
  const toml::node* n = t.get("folders");
  if (!n) return;
  const toml::array* arr = n->as_array();
  if (!arr || arr->empty()) {
    c.problem(*n, s + ".folders must be a list of folder names, e.g. [\"INBOX\"]");
    return;
  }
  m.folders.clear();
  std::set<std::string> seen;
  for (const toml::node& f : *arr) {
    auto v = f.value_exact<std::string>();
    // INBOX is the same folder however it is written (RFC 3501 5.1): one
    // spelling, so its cursor and the report's source do not depend on it.
    if (v && v->size() == 5 && std::equal(v->begin(), v->end(), "INBOX", [](char a, char b) {
          return std::toupper(static_cast<unsigned char>(a)) == b;
        }))
      *v = "INBOX";
    if (!v || v->empty()) {
      c.problem(f, s + ".folders: every entry must be a non-empty string");
    } else if (!seen.insert(*v).second) {
      c.problem(f, s + ".folders lists \"" + *v + "\" twice");
    } else {
      m.folders.push_back(*v);
    }
  }
}

void read_role(ConfigChecker& c, const toml::table& t, const std::string& s, MailboxConfig& m) {
  const toml::node* n = t.get("role");
  if (!n) return;
  std::string v;
  c.get(t, "role", v, s);
  auto address_of = [&](std::string_view prefix) {
    std::string a = v.substr(prefix.size());
    if (a.find('@') == std::string::npos || a.find(' ') != std::string::npos)
      c.problem(*n, s + ".role: \"" + a + "\" is not an e-mail address");
    return a;
  };
  if (v == "forward") {
    m.role.kind = MailboxRole::Forward;
  } else if (v == "none") {
    m.role.kind = MailboxRole::None;
  } else if (v.starts_with("user:")) {
    m.role = {MailboxRole::User, address_of("user:")};
  } else if (v.starts_with("queue:")) {
    m.role = {MailboxRole::Queue, address_of("queue:")};
  } else if (n->is_string()) {
    c.problem(*n, s + ".role must be \"forward\", \"user:ADDRESS\", \"queue:ADDRESS\" or \"none\"");
  }
}

void read_after(ConfigChecker& c, const toml::table& t, const std::string& s, MailboxConfig& m) {
  const toml::node* n = t.get("after");
  if (!n) return;
  std::string v;
  c.get(t, "after", v, s);
  if (v == "leave") m.after.kind = Disposition::Leave;
  else if (v == "seen") m.after.kind = Disposition::Seen;
  else if (v == "delete") m.after.kind = Disposition::Delete;
  else if (v.starts_with("move:") && v.size() > 5) m.after = {Disposition::Move, v.substr(5)};
  else if (n->is_string())
    c.problem(*n, s + ".after must be leave, seen, move:FOLDER or delete");
}

// auth: one mechanism name or a list of them, in order of preference.
void read_auth(ConfigChecker& c, const toml::table& t, const std::string& s, MailboxConfig& m) {
  const toml::node* n = t.get("auth");
  if (!n) return;
  const auto& known = login_mechanism_names();
  std::string list;
  for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
  std::vector<const toml::node*> items;
  if (n->is_string()) items.push_back(n);
  else if (const toml::array* arr = n->as_array(); arr && !arr->empty())
    for (const toml::node& e : *arr) items.push_back(&e);
  else
    c.problem(*n, s + ".auth must be a mechanism or a list of them, e.g. auth = [\"plain\", \"user\"]");
  bool oauth = t.get("oauth2_token_env") || t.get("oauth2_token_command") || t.get("oauth2");
  for (const toml::node* e : items) {
    auto v = e->value_exact<std::string>();
    std::string name = v.value_or("");
    for (char& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      c.problem(*e, s + ".auth: \"" + v.value_or("") + "\" is not a login mechanism; use one of " + list);
    } else if (std::find(m.auth.begin(), m.auth.end(), name) != m.auth.end()) {
      c.problem(*e, s + ".auth lists \"" + name + "\" twice");
    } else if (name == "apop" && !ascii_lower(m.url).starts_with("pop3")) {
      c.problem(*e, s + ".auth: apop is for POP3 mailboxes only");
    } else if ((name == "xoauth2") != oauth) {
      c.problem(*e, s + ".auth: " + name +
                        (oauth ? " needs a password; with an OAuth2 token use auth = \"xoauth2\""
                               : " needs oauth2, oauth2_token_env or oauth2_token_command"));
    } else {
      m.auth.push_back(name);
    }
  }
}

// Secrets: exactly one source, and never the secret itself.
void check_secrets(ConfigChecker& c, const toml::table& t, const toml::node& at,
                   const std::string& s) {
  for (const char* forbidden : {"password", "oauth2_token"}) {
    if (const toml::node* n = t.get(forbidden)) {
      c.problem(*n, s + "." + forbidden +
                        ": a secret must never be written in the configuration file; use "
                        "password_env or password_file (or oauth2, oauth2_token_env / "
                        "oauth2_token_command)");
    }
  }
  int sources = 0;
  for (const char* k :
       {"password_env", "password_file", "oauth2_token_env", "oauth2_token_command", "oauth2"})
    if (t.get(k)) ++sources;
  if (sources == 0)
    c.problem(at, s + " needs one of password_env, password_file, oauth2 (client credentials), "
                      "oauth2_token_env or oauth2_token_command");
  if (sources > 1)
    c.problem(at, s + " has more than one of password_env, password_file, oauth2, "
                      "oauth2_token_env, oauth2_token_command; keep exactly one");
}

void read_one(ConfigChecker& c, const toml::table& t, int index, MailboxConfig& m) {
  m.line = static_cast<int>(t.source().begin.line);
  std::string s = "mailbox[" + std::to_string(index) + "]";
  c.get(t, "name", m.name, s);
  if (!m.name.empty()) s = "mailbox \"" + m.name + "\"";
  c.unknown_keys(t, kKeys, s);

  for (const char* k : {"name", "url", "user"})
    if (!t.get(k)) c.problem(t, s + " has no " + k);
  if (const toml::node* n = t.get("name")) {
    bool ok = !m.name.empty();
    for (char ch : m.name)
      ok = ok && (std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_' ||
                  ch == '.' || ch == '@');
    if (!ok && n->is_string())
      c.problem(*n, s + ".name may use letters, digits and - _ . @ only");
  }
  c.get(t, "url", m.url, s);
  read_url(c, t, s, m);
  c.get(t, "user", m.user, s);
  c.get(t, "password_env", m.password_env, s);
  c.get(t, "password_file", m.password_file, s);
  c.get(t, "oauth2_token_env", m.oauth2_token_env, s);
  c.get(t, "oauth2_token_command", m.oauth2_token_command, s);
  check_secrets(c, t, t, s);
  if (const toml::node* n = t.get("oauth2")) m.oauth2 = read_mailbox_oauth2(c, *n, s);
  read_auth(c, t, s, m);
  read_folders(c, t, s, m);
  read_role(c, t, s, m);
  read_after(c, t, s, m);
  c.get(t, "quarantine_folder", m.quarantine_folder, s);
  if (const toml::node* n = t.get("since")) read_since(c, *n, s, m);
  c.get(t, "all", m.all, s);
  if (m.all && m.since) c.problem(t, s + " has both since and all = true; keep one");
  c.get(t, "tls_ca_file", m.tls_ca_file, s);
  c.get(t, "tls_verify", m.tls_verify, s);
  c.get(t, "starttls", m.starttls, s);
  if (const toml::node* n = t.get("starttls");
      n && n->is_string() && m.starttls != "required" && m.starttls != "optional" &&
      m.starttls != "off")
    c.problem(*n, s + ".starttls must be required, optional or off");
  c.get(t, "batch_size", m.batch_size, s);
  c.get(t, "timeout_s", m.timeout_s, s);
  for (const char* k : {"batch_size", "timeout_s"}) {
    const toml::node* n = t.get(k);
    if (n && n->value<std::int64_t>().value_or(-1) == 0) c.problem(*n, s + "." + k + " must be at least 1");
  }
  c.get(t, "max_messages_per_run", m.max_messages_per_run, s);
  c.get(t, "max_bytes_per_run", m.max_bytes_per_run, s);
  c.get(t, "max_seconds_per_run", m.max_seconds_per_run, s);

  // What the mailbox's kind cannot do (POP3: flags, folders, move).
  const MailboxCapabilities caps = m.caps();
  if ((m.after.kind == Disposition::Seen && !caps.flags) ||
      (m.after.kind == Disposition::Move && !caps.move))
    c.problem(*t.get("after"), s + ": POP3 has no flags or folders; after must be leave or delete");
  if (const toml::node* n = t.get("folders");
      n && !caps.folders && m.folders != std::vector<std::string>{"INBOX"})
    c.problem(*n, s + ": POP3 has one folder only; folders must be [\"INBOX\"] or left out");
  if (const toml::node* n = t.get("quarantine_folder"); n && !caps.move)
    c.problem(*n, s + ": POP3 has no folders; quarantine_folder is for IMAP only");
}

}  // namespace

void read_mailbox_config(ConfigChecker& c, const toml::table& root,
                         std::vector<MailboxConfig>& out) {
  out.clear();
  const toml::node* n = root.get("mailbox");
  if (!n) return;
  const toml::array* arr = n->as_array();
  if (!arr || !arr->is_array_of_tables()) {
    c.problem(*n, "mailbox must be written as [[mailbox]] tables");
    return;
  }
  std::set<std::string> names;
  int index = 0;
  for (const toml::node& e : *arr) {
    MailboxConfig m;
    read_one(c, *e.as_table(), index++, m);
    if (!m.name.empty() && !names.insert(m.name).second)
      c.problem(e, "mailbox \"" + m.name + "\" is configured twice; names must be unique");
    out.push_back(std::move(m));
  }
}

}  // namespace crmr
