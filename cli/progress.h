// The progress line shown on a terminal during long commands (import, run,
// push, sync): a bar with percentage and ETA when the total is known, else
// counts, rate and elapsed time.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace crmr {

// `fraction` in [0,1] when the total is known; `counts` says what was done
// (e.g. "12,345 messages, 10,234 msg/s").
std::string progress_line(std::optional<double> fraction, double elapsed_s,
                          const std::string& counts);

// "12,345" for 12345.
std::string thousands(std::uint64_t n);

}  // namespace crmr
