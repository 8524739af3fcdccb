// What the next fetch of a mailbox folder takes: one function for `run` and
// `check`, so that `check` says what the run would really fetch.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/engine/mailbox_cursor.h"
#include "core/mailbox_session.h"
#include "core/mailbox_settings.h"
#include "core/state_store.h"

namespace crmr {

struct FolderListing {
  std::vector<std::string> ids;              // to fetch, in order
  std::vector<std::string> skipped_by_date;  // older than the date floor: not fetched
  std::vector<std::string> warnings;         // the server's answers disagreed (IdListing)
  std::vector<std::string> gone;             // no persistent UIDs: remembered ids the server no longer lists
};

// The selected folder's messages to fetch from `start` on.
// With persistent UIDs (IMAP): the session's list_ids above the cursor (the
// date floor by SEARCH SINCE, on INTERNALDATE). Without (POP3): the ids not
// remembered as read; with a date floor (since, unless all = true) their
// headers are read first (TOP n 0) and those whose Date header is before it
// are left out: not downloaded, left on the server and not remembered, so
// every run looks at them again. A message without a readable Date header is
// fetched.
// Errors: the session's (Scope::Mailbox or Message) and the store's (Scope::Run).
Result<FolderListing> list_folder(MailboxSession& s, const MailboxSettings& m,
                                  const StateStore& store, const FetchStart& start);

// The same with the store's seen ids read through `read_seen` (a mailbox
// thread of a parallel run asks the writer, which owns the store).
using ReadSeen = std::function<Result<std::vector<std::string>>()>;
Result<FolderListing> list_folder(MailboxSession& s, const MailboxSettings& m,
                                  const ReadSeen& read_seen, const FetchStart& start);

}  // namespace crmr
