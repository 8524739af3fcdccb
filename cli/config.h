// The configuration file (TOML, crm-router.conf(5)). Every command-line option
// has a key here; the command line wins over the file.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "cli/crm_config.h"
#include "cli/mailbox_config.h"
#include "core/decision.h"
#include "core/mime_parser.h"
#include "core/result.h"

namespace crmr {

struct Config {
  std::string path;        // the file it was read from; empty when none
  std::string db;          // state database
  std::string report;      // default report file
  std::string log_file;    // log file (rotating)
  std::string log_level = "warn";
  bool progress = true;
  bool forward_mailbox = false;  // [import] forward_mailbox
  Policy policy;                 // [routing]
  ParseLimits limits;            // [limits]
  std::vector<MailboxConfig> mailboxes;  // [[mailbox]]
  CrmConfig crm;                         // [crm]
};

// Read and validate `path`. All problems are reported in one pass, one per line
// as "FILE:LINE: problem" in Error::message (code "config.invalid"). A missing
// file is an error only when `required` (an explicit --config).
Result<Config> load_config(const std::string& path, bool required);

}  // namespace crmr
