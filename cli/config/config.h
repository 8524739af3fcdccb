// The configuration file (TOML, crm-router.conf(5)). Every command-line option
// has a key here; the command line wins over the file.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cli/config/crm_config.h"
#include "cli/config/mailbox_config.h"
#include "core/decision/decision.h"
#include "core/mime/mime_parser.h"
#include "core/result.h"

namespace crmr {

struct Config {
  std::string path;        // the file it was read from; empty when none
  std::string db;          // state database
  std::string report;      // default report file
  std::string log_file;    // log file (rotating)
  std::string log_level = "warn";
  bool progress = true;
  std::uint32_t jobs = 0;        // threads that parse (import, run); 0: one per core
  bool forward_mailbox = false;  // [import] forward_mailbox
  std::uint32_t cache_max_age_hours = 24;  // [cache] max_age_hours: warn when older; 0: never
  // [run] parallel_mailboxes: mailboxes read at once by `run`, each on its own
  // connection (1: one after another, as before). [run]
  // max_connections_per_server: at most this many of them to one host at once.
  std::uint32_t parallel_mailboxes = 8;
  std::uint32_t max_connections_per_server = 4;
  Policy policy;                 // [routing]
  ParseLimits limits;            // [limits]
  std::vector<MailboxConfig> mailboxes;  // [[mailbox]]
  CrmConfig crm;                         // [crm]
};

// Read and validate `path`. All problems are reported in one pass, one per line
// as "FILE:LINE: problem" in Error::message (code "config.invalid"). A missing
// file is an error only when `required` (an explicit --config). Relative
// paths in the file (db, report, log_file, password_file, client_secret_file,
// tls_ca_file, a mailbox's oauth2 client_secret_file and certificate files)
// are made absolute against the file's own folder, so the working directory
// of cron or a service manager does not matter.
Result<Config> load_config(const std::string& path, bool required);

}  // namespace crmr
