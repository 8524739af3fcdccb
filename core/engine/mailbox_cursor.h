// Where a configured mailbox's folder was left: the cursor kept in the store
// (key/value state) per (mailbox name, folder), and where the next fetch starts.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/mailbox_session.h"
#include "core/mailbox_settings.h"
#include "core/result.h"
#include "core/state_store.h"

namespace crmr {

// A mailbox with persistent UIDs (IMAP): every UID up to last_uid under
// uidvalidity was processed (or lay before `since`). One without (POP3) keeps
// a cursor without UIDs: it marks that the first run happened (the ids it
// read are in the store's seen list, StateStore::pop3_seen).
struct FolderCursor {
  std::uint32_t uidvalidity = 0;
  std::uint32_t last_uid = 0;
  std::optional<std::int64_t> last_date;  // newest INTERNALDATE processed (Unix s)
};

Result<std::optional<FolderCursor>> load_cursor(const StateStore& store,
                                                const std::string& mailbox,
                                                const std::string& folder);
Status save_cursor(StateStore& store, const std::string& mailbox, const std::string& folder,
                   const FolderCursor& c);

// Where the next fetch of a folder starts.
struct FetchStart {
  std::uint32_t after_uid = 0;
  std::optional<std::int64_t> since;  // server-side date floor (IMAP SEARCH SINCE)
  bool first_run = false;
  bool uidvalidity_changed = false;
  bool reread = false;  // run --once: without persistent UIDs, list the ids remembered as read too
};

// The start for folder state `now` of a mailbox that can do `caps`, given the
// stored cursor. The configured `since` is a floor on every run; after a
// UIDVALIDITY change (persistent UIDs only) the date of the last processed
// message (less a day, as SEARCH SINCE counts whole days) is the floor and
// the ledger makes what was processed before a duplicate.
// Error (code "config.first_run"): no cursor and neither since nor all.
Result<FetchStart> plan_start(const MailboxSettings& m, const std::optional<FolderCursor>& cursor,
                              const FolderState& now, const MailboxCapabilities& caps);

}  // namespace crmr
