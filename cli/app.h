// The command line: CLI11 wiring for every command, in one place.
#pragma once

#include <iosfwd>

namespace crmr {

// Parse argv, load the configuration, run the chosen command; returns the
// process exit code. `out`/`err` are stdout/stderr (tests pass string streams).
int run_app(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

}  // namespace crmr
