// Crash injection, a testing aid only: the process ends abruptly (like a
// kill) at a named step, so tests can prove that a crash at any step loses or
// doubles nothing. Never set CRMR_CRASH_AT in production.
//
// CRMR_CRASH_AT (read once, at the first crash_point call):
//   "<name>:<n>"  end at the n-th call of crash_point("<name>")
//   "<n>"         end at the n-th call of crash_point, whatever its name
// Unset, empty or malformed: crash_point does nothing (one flag test).
// The end is std::_Exit(137): no destructors, no flush, no rollback.
#pragma once

namespace crmr {

void crash_point(const char* name);

}  // namespace crmr
