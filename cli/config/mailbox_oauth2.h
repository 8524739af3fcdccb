// The oauth2 table of a [[mailbox]] (crm-router.conf(5)): the mailbox gets its
// XOAUTH2 token itself, by the OAuth 2.0 client-credentials grant, as an
// Exchange Online app registration with IMAP.AccessAsApp / POP.AccessAsApp
// does. Defaults are Exchange Online's.
//
//   oauth2 = { tenant = "contoso.onmicrosoft.com", client_id = "...",
//              client_secret_env = "EXO_SECRET" }
#pragma once

#include <toml++/toml.h>

#include <optional>
#include <string>

namespace crmr {

class ConfigChecker;

inline constexpr char kExchangeOnlineScope[] = "https://outlook.office365.com/.default";
inline constexpr char kEntraTokenUrl[] = "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token";

struct MailboxOAuth2 {
  std::string tenant;              // directory (tenant) id or a verified domain
  std::string client_id;           // the app registration's application (client) id
  // Exactly one credential; secrets from the environment or a file, never the config.
  std::string client_secret_env;
  std::string client_secret_file;
  std::string certificate;         // PEM file: the certificate, and its key unless certificate_key
  std::string certificate_key;     // PEM file of the unencrypted private key
  std::string scope = kExchangeOnlineScope;
  std::string token_url = kEntraTokenUrl;  // {tenant} replaced when read
};

// The value of `oauth2` (node `n`) of the mailbox named `s` ("mailbox \"x\""),
// every problem reported to `c`; nullopt when it is not a table.
std::optional<MailboxOAuth2> read_mailbox_oauth2(ConfigChecker& c, const toml::node& n,
                                                 const std::string& s);

}  // namespace crmr
