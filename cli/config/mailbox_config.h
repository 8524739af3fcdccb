// [[mailbox]] entries of the configuration file (crm-router.conf(5)).
#pragma once

#include <toml++/toml.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cli/config/mailbox_oauth2.h"
#include "core/decision/decision.h"

namespace crmr {

class ConfigChecker;

// What happens to a source message after its decision is committed.
struct Disposition {
  enum Kind { Leave, Seen, Move, Delete } kind = Leave;
  std::string folder;  // for Move
};

struct MailboxConfig {
  int line = 0;                    // where the entry starts, for messages
  std::string name;                // unique; names the cursor in the database
  std::string url;                 // imap://, imaps://, pop3://, pop3s://[host[:port]]
  std::string user;
  std::string password_env;        // secrets: from the environment...
  std::string password_file;       // ...or a file; never in the config itself
  std::string oauth2_token_env;    // XOAUTH2 bearer token
  std::string oauth2_token_command;
  std::optional<MailboxOAuth2> oauth2;  // the token by client credentials (Exchange Online)
  std::vector<std::string> folders{"INBOX"};
  // Login mechanisms in order of preference (plain login cram-md5 xoauth2
  // gssapi ntlm user apop); empty: the default (see crm-router.conf(5)).
  std::vector<std::string> auth;
  MailboxRole role;                // "forward", "user:ADDR", "queue:ADDR"; default none
  Disposition after;               // leave | seen | move:FOLDER | delete
  std::string quarantine_folder;   // move quarantined messages there (IMAP); empty: leave
  std::optional<std::int64_t> since;  // process mail received on/after (Unix s)
  bool all = false;                // first run: everything (instead of since)
  std::string tls_ca_file;
  bool tls_verify = true;
  std::string starttls = "optional";  // required | optional | off (plain imap:// and pop3://)
  std::uint32_t batch_size = 500;
  std::uint32_t timeout_s = 60;
  // Limits per run of this mailbox (0: none). A limit reached ends the
  // mailbox's part of the run cleanly: what was fetched is committed,
  // disposed of and the cursor moved; the rest waits for the next run.
  std::uint64_t max_messages_per_run = 0;
  std::uint64_t max_bytes_per_run = 0;
  std::uint32_t max_seconds_per_run = 0;

  bool is_pop3() const { return url.starts_with("pop3"); }
  // Logs in with an OAuth2 bearer token (XOAUTH2), from whichever source.
  bool uses_oauth2() const {
    return !oauth2_token_env.empty() || !oauth2_token_command.empty() || oauth2.has_value();
  }
};

// Read every [[mailbox]] of `root` into `out`, reporting problems to `c`.
void read_mailbox_config(ConfigChecker& c, const toml::table& root,
                         std::vector<MailboxConfig>& out);

}  // namespace crmr
