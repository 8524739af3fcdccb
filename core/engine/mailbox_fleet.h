// Reading many configured mailboxes at once (`run`, [run] parallel_mailboxes).
//
// Up to `threads` mailbox threads each take the next mailbox in configuration
// order (at most `per_host` at once to one host: MailboxScheduler), sign in
// and read it on a connection of their own; the calling thread is the single
// writer meanwhile (WriterChannel): it decides, commits, and runs every store
// request of every mailbox, one at a time. A mailbox's failure is its own
// outcome; a failure of the run (the store) stops the channel, so the others
// end at their next request, and no new mailbox is started.
//
// Every thread is joined before read_mailboxes_at_once() returns, on every
// path; the outcomes come back in configuration order.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/engine/mailbox_run.h"
#include "core/engine/writer_channel.h"
#include "core/result.h"

namespace crmr {

// What reading one mailbox gave.
struct MailboxOutcome {
  bool started = false;                    // false: never read (the run stopped first)
  std::vector<std::string> warnings;       // sign-in advice (secret files, TLS)
  std::optional<Error> sign_in_failed;     // could not connect or log in
  std::optional<MailboxRunResult> result;  // read (ok, or with its problems)
  std::optional<Error> fatal;              // the run must stop (the store failed)
};

struct FleetResult {
  std::vector<MailboxOutcome> outcomes;  // configuration order
  std::optional<Error> fatal;            // the first failure of the run, if any
};

// `read(i, writer)` reads mailbox i on a mailbox thread, reaching the store
// and pipeline only through `writer`. `hosts[i]` is mailbox i's host.
FleetResult read_mailboxes_at_once(
    const std::vector<std::string>& hosts, std::size_t threads, std::size_t per_host,
    const std::function<MailboxOutcome(std::size_t, WriterChannel&)>& read);

}  // namespace crmr
