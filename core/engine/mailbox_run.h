// One configured mailbox's part of a `run`: for each folder, fetch what is new
// in batches, route each message through the pipeline, commit, dispose of the
// batch, move the cursor.
//
// Order per batch: pipeline.flush() commits the decisions (ledger,
// outbox, quarantine) -> THEN the messages are disposed of (seen / move /
// delete; quarantined ones moved to quarantine_folder) -> THEN the cursor is
// advanced and committed. A crash between commit and cursor save fetches
// those messages again next time: the ledger makes them duplicates, and they
// are disposed of then, each as on a clean run (one the ledger holds as
// quarantined goes to quarantine_folder, not per `after`). Every kind of
// mailbox shares the batch loop; only what a batch records differs, by what
// the session can do (MailboxCapabilities): a cursor over persistent UIDs
// (IMAP), else the ids seen (POP3 UIDLs). A dry run commits nothing, disposes
// of nothing and moves no cursor.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/engine/pipeline.h"
#include "core/engine/writer_channel.h"
#include "core/mailbox_session.h"
#include "core/mailbox_settings.h"
#include "core/state_store.h"

namespace crmr {

struct MailboxRunOptions {
  bool dry_run = false;
  // Read the folders once, from their start (`since` still a floor): the
  // cursor (UIDVALIDITY/UID, or the ids seen) is neither read nor
  // moved. `run --once`; the caller makes the disposition "leave".
  bool once = false;
  std::optional<std::uint64_t> run_limit;  // --limit: messages in the whole run
  std::function<void()> on_message;        // after each message (progress)
  // Once per folder: how many messages of it this run will fetch (progress total).
  std::function<void(std::uint64_t)> on_listed;
  // A parallel run (core/engine/writer_channel.h): every use of the store, the
  // pipeline and the callbacks above is a request to the writer's thread,
  // which owns them; the session stays on this thread. nullptr: all on this
  // thread.
  WriterChannel* writer = nullptr;
  // Called on the writer before each message is submitted: sets the shared
  // pipeline's options to this mailbox's (role, unwrap).
  std::function<void()> before_submit;
};

struct MailboxRunResult {
  std::uint64_t fetched = 0;          // messages fetched and decided
  std::uint64_t bytes = 0;
  std::uint64_t skipped_by_date = 0;  // listed but older than since: not fetched
  bool limit_reached = false;         // a limit ended this mailbox early (cleanly)
  std::vector<Error> problems;        // folder or connection problems: the mailbox failed
  // Worth telling (UIDVALIDITY changed, a server's answers disagreed,
  // messages kept instead of deleted ...): warnings in the summary and report.
  std::vector<std::string> notes;
};

// Process mailbox `m` over its open session `s` with `pipeline` (whose options
// the caller set for this mailbox), keeping its cursors in `store`, then log
// out. Problems of the mailbox are collected in the result (the run goes on
// with other mailboxes); an Error is returned only when the whole run must
// stop (the store failed).
Result<MailboxRunResult> run_mailbox(MailboxSession& s, const MailboxSettings& m,
                                     StateStore& store, Pipeline& pipeline,
                                     const MailboxRunOptions& o);

}  // namespace crmr
