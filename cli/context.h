// Context: what every command gets after the command line and the config file
// have been read (the command line wins over the file).
#pragma once

#include <memory>
#include <string>

#include "cli/config/config.h"
#include "cli/output.h"
#include "core/mailbox_session.h"
#include "core/result.h"
#include "storage/store.h"

namespace spdlog {
class logger;
}

namespace crmr {

struct Context {
  Output& out;
  Config cfg;
  std::string db_path;      // --db, else config db, else the platform default
  std::string report_path;  // --report, else config report; empty: none
  bool dry_run = false;
  // Where the IMAP/POP3 conversation goes (--trace FILE, or the log at -vv);
  // null: no trace.
  std::shared_ptr<spdlog::logger> trace;

  // Open the state database: read-only in a dry run, else read-write.
  Result<std::unique_ptr<Store>> open_store() const;
  // Give `ep` of mailbox `name` the protocol trace, when one is wanted.
  void trace_mailbox(const std::string& name, MailboxEndpoint& ep) const;
  // Open it read-only for a command that only reads it: a database that
  // does not exist is an error ("store.missing", exit 6), never an empty answer.
  Result<std::unique_ptr<Store>> open_existing_store() const;
  // Print an error with its hint and return its exit code (exit_code_for).
  int fail_with(const Error& e) const;
};

}  // namespace crmr
