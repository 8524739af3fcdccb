// [[mailbox]] entries of the configuration file (crm-router.conf(5)).
#pragma once

#include <toml++/toml.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cli/config/mailbox_oauth2.h"
#include "core/decision/decision.h"
#include "core/mailbox_session.h"
#include "core/mailbox_settings.h"

namespace crmr {

class ConfigChecker;

// One [[mailbox]] entry: the run's settings (core/mailbox_settings.h), how to
// connect and sign in, and the routing role of its messages.
struct MailboxConfig : MailboxSettings {
  int line = 0;                    // where the entry starts, for messages
  std::string url;                 // imap://, imaps://, pop3://, pop3s://[host[:port]]
  std::string user;
  std::string password_env;        // secrets: from the environment...
  std::string password_file;       // ...or a file; never in the config itself
  std::string oauth2_token_env;    // XOAUTH2 bearer token
  std::string oauth2_token_command;
  std::optional<MailboxOAuth2> oauth2;  // the token by client credentials (Exchange Online)
  // Login mechanisms in order of preference (plain login cram-md5 xoauth2
  // gssapi ntlm user apop); empty: the default (see crm-router.conf(5)).
  std::vector<std::string> auth;
  MailboxRole role;                // "forward", "user:ADDR", "queue:ADDR"; default none
  std::string tls_ca_file;
  bool tls_verify = true;
  std::string starttls = "optional";  // required | optional | off (plain imap:// and pop3://)
  std::uint32_t timeout_s = 60;

  // What the mailbox at `url` can do (folders, flags, ...), by its scheme.
  MailboxCapabilities caps() const { return mailbox_capabilities(url); }
  // Logs in with an OAuth2 bearer token (XOAUTH2), from whichever source.
  bool uses_oauth2() const {
    return !oauth2_token_env.empty() || !oauth2_token_command.empty() || oauth2.has_value();
  }
};

// Read every [[mailbox]] of `root` into `out`, reporting problems to `c`.
void read_mailbox_config(ConfigChecker& c, const toml::table& root,
                         std::vector<MailboxConfig>& out);

}  // namespace crmr
