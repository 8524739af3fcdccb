// The mailbox commands: `run` (one batch from every configured mailbox) and
// `check` (test access, never writes). Each adds itself to the command line (command_set.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cli/context.h"

namespace crmr {

struct RunOptions {
  std::vector<std::string> mailboxes;  // --mailbox NAME...; empty: all configured
  std::optional<std::uint64_t> limit;  // --limit N: messages in the whole run
  bool no_push = false;                // --no-push: only queue; `push` delivers later
  // --once: read each folder from its start (or `since`) without reading or
  // moving its cursor, and leave every message where it is (route again what
  // `forget` took out of the ledger). --folder F (needs --once): read F
  // instead of the configured folders (IMAP).
  bool once = false;
  std::string folder;
  std::optional<std::size_t> jobs;  // --jobs N: parsing threads; unset: one per core
};
// Exit: 0 all processed; 1 messages quarantined or failed; 4 a mailbox could
// not be reached or logged in to (wins over 1); 3 configuration (no mailbox,
// a first run without since/all, a mailbox's secret that cannot be read:
// wins over 4); 5 locked; 6 storage; 8 the cache cannot decide. 3 (except a
// secret), 5 and 8 stop the run before anything is fetched, 6 as it
// happens; the rest is known at its end.
int cmd_run(Context& ctx, const RunOptions& o);

struct CheckOptions {
  std::vector<std::string> mailboxes;  // --mailbox NAME...; empty: all configured
};
// Exit: 0 all good; 8 the cache cannot decide (the next run would refuse);
// 3 a configuration problem (a first run without a start, a secret that
// cannot be read: wins over 8); 4 a mailbox unreachable or its login refused
// (wins over 3).
int cmd_check(Context& ctx, const CheckOptions& o);

// The configured mailboxes named in `names` (all when empty). An unknown
// name is a usage error: printed, and std::nullopt returned.
std::optional<std::vector<const MailboxConfig*>> select_mailboxes(
    Context& ctx, const std::vector<std::string>& names);

}  // namespace crmr
