// Exit status of crm-router: one meaning per code. The same table
// is in README.md ("Exit status") and crm-router(1) (EXIT STATUS). `status`
// follows the monitoring conventions instead (0/1/2) and is documented apart.
#pragma once

#include "core/result.h"

namespace crmr {

enum ExitCode : int {
  kExitOk = 0,             // everything asked for was done
  kExitPartial = 1,        // some messages quarantined or failed, or bad lines of a
                           // cache file skipped; the rest was processed
  kExitUsage = 2,          // bad command line: unknown command or option, bad value,
                           // an id or run number that does not exist
  kExitConfig = 3,         // bad configuration: the file, an option value, or a secret
                           // it names that cannot be read (variable unset, file unreadable)
  kExitUnreachable = 4,    // a mailbox or the CRM unreachable, or its login refused
  kExitBusy = 5,           // another run holds the lock: retry later
  kExitStorage = 6,        // the state database cannot be used: missing (for a command
                           // that only reads it), not a database, corrupt, read-only,
                           // failing while read or written
  kExitInput = 7,          // an input named on the command line cannot be read
                           // (import PATH, explain FILE, cache import FILE)
  kExitCacheNotReady = 8,  // the cache cannot decide (no organisation settings, or no
                           // active system user or queue): nothing was routed; fill it
                           // with `sync` or `cache import`
};

// The exit code an error implies: by its code where that says more than its
// scope (configuration, secrets, not found, unreadable input, a cache that
// cannot decide), else by its scope (run: 6, mailbox or account: 4,
// message: 1).
int exit_code_for(const Error& e);

// Of two exit codes, the one that wins when both apply (README "Exit status"):
// 5, 3, 8, 6, 4, 7, 1, 0, with a usage error (2) after 5. E.g. a batch that
// quarantined messages (1) whose push found the CRM unreachable (4) exits 4.
int worse_exit_code(int a, int b);

}  // namespace crmr
