// Exit status of crm-router. The codes (ExitCode) and the exit code each error
// code implies are in core/error_code.h, one table with the error codes.
#pragma once

#include "core/result.h"

namespace crmr {

// The exit code an error implies: its code's in the table where that says more
// than its scope (configuration, secrets, not found, unreadable input, a cache
// that cannot decide, the CRM), else by its scope (run: 6, mailbox or account:
// 4, message: 1). The one place an Error becomes an exit code.
int exit_code_for(const Error& e);

// Of two exit codes, the one that wins when both apply (README "Exit status"):
// 5, 3, 8, 6, 4, 7, 1, 0, with a usage error (2) after 5. E.g. a batch that
// quarantined messages (1) whose push found the CRM unreachable (4) exits 4.
int worse_exit_code(int a, int b);

}  // namespace crmr
