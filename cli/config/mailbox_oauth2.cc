#include "cli/config/mailbox_oauth2.h"

#include "cli/config/config_checker.h"

namespace crmr {

std::optional<MailboxOAuth2> read_mailbox_oauth2(ConfigChecker& c, const toml::node& n,
                                                 const std::string& s) {
  const toml::table* t = n.as_table();
  const std::string where = s + ".oauth2";
  if (!t) {
    c.problem(n, where + " must be a table, e.g. oauth2 = { tenant = \"...\", client_id = \"...\", "
                         "client_secret_env = \"...\" }");
    return std::nullopt;
  }
  c.unknown_keys(*t,
                 {"tenant", "client_id", "client_secret_env", "client_secret_file", "certificate",
                  "certificate_key", "scope", "token_url", "client_secret"},
                 where);
  if (const toml::node* secret = t->get("client_secret"))
    c.problem(*secret, where + ".client_secret: a secret must never be written in the configuration "
                               "file; use client_secret_env, client_secret_file or certificate");
  MailboxOAuth2 o;
  for (auto [key, into] : {std::pair{"tenant", &o.tenant}, {"client_id", &o.client_id},
                           {"client_secret_env", &o.client_secret_env},
                           {"client_secret_file", &o.client_secret_file},
                           {"certificate", &o.certificate}, {"certificate_key", &o.certificate_key},
                           {"scope", &o.scope}, {"token_url", &o.token_url}}) {
    c.get(*t, key, *into, where);
    if (const toml::node* v = t->get(key); v && v->is_string() && into->empty())
      c.problem(*v, where + "." + key + " must not be empty");
  }
  if (o.client_id.empty() && !t->get("client_id"))
    c.problem(n, where + " needs client_id: the application (client) id of the app registration");
  int credentials = 0;
  for (const char* k : {"client_secret_env", "client_secret_file", "certificate"})
    if (t->get(k)) ++credentials;
  if (credentials != 1)
    c.problem(n, where + (credentials == 0 ? " needs" : " must have only one of") +
                     " client_secret_env, client_secret_file or certificate");
  if (const toml::node* k = t->get("certificate_key"); k && !t->get("certificate"))
    c.problem(*k, where + ".certificate_key goes with certificate");
  if (!o.scope.ends_with("/.default"))
    if (const toml::node* v = t->get("scope"))
      c.problem(*v, where + ".scope must end in /.default (the client-credentials grant asks for "
                            "the application permissions granted), e.g. " + kExchangeOnlineScope);
  if (!o.token_url.starts_with("https://") && !o.token_url.starts_with("http://"))
    if (const toml::node* v = t->get("token_url"))
      c.problem(*v, where + ".token_url must be an https:// URL (http:// only for a local test server)");
  if (auto at = o.token_url.find("{tenant}"); at != std::string::npos) {
    if (o.tenant.empty()) {
      if (!t->get("tenant"))
        c.problem(n, where + " needs tenant (the directory id or a domain such as "
                             "contoso.onmicrosoft.com): the token URL contains {tenant}");
    } else {
      o.token_url.replace(at, 8, o.tenant);
    }
  }
  return o;
}

}  // namespace crmr
