// Exit status of crm-router (SPEC §6). The same table is in crm-router(1).
#pragma once

namespace crmr {

enum ExitCode : int {
  kExitOk = 0,            // everything processed
  kExitPartial = 1,       // some messages quarantined or failed; the rest processed
  kExitUsage = 2,         // bad command line
  kExitConfig = 3,        // bad configuration file or option value
  kExitUnreachable = 4,   // a mailbox or the CRM unreachable, or authentication failed
  kExitBusy = 5,          // another run holds the lock: retry later
  kExitStorage = 6,       // the state database cannot be used
  kExitInput = 7,         // an input path cannot be read at all
};

}  // namespace crmr
