// MailboxSettings: what a mailbox run reads of one configured mailbox (its
// name, folders, disposition, start and limits). Plain values: the TOML
// reader (cli/config/mailbox_config.h) fills them, with the connection's
// settings (URL, user, secrets, TLS) and the routing role beside them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace crmr {

// What happens to a source message after its decision is committed.
struct Disposition {
  enum Kind { Leave, Seen, Move, Delete } kind = Leave;
  std::string folder;  // for Move
};

struct MailboxSettings {
  std::string name;                // unique; names the cursor in the database
  std::vector<std::string> folders{"INBOX"};
  Disposition after;               // leave | seen | move:FOLDER | delete
  std::string quarantine_folder;   // move quarantined messages there (IMAP); empty: leave
  std::optional<std::int64_t> since;  // process mail received on/after (Unix s)
  bool all = false;                // first run: everything (instead of since)
  std::uint32_t batch_size = 500;
  // Limits per run of this mailbox (0: none). A limit reached ends the
  // mailbox's part of the run cleanly: what was fetched is committed,
  // disposed of and the cursor moved; the rest waits for the next run.
  std::uint64_t max_messages_per_run = 0;
  std::uint64_t max_bytes_per_run = 0;
  std::uint32_t max_seconds_per_run = 0;
};

}  // namespace crmr
