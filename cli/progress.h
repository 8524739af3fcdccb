// The progress line shown on a terminal during long commands (import, run,
// push, sync): a bar with percentage and ETA when the total is known, else
// counts, rate and elapsed time. Numbers in the one format of
// core/base/number_format.h.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/base/number_format.h"

namespace crmr {

// `fraction` in [0,1] when the total is known; `counts` says what was done
// (e.g. "12,345 of 20,000 messages, 10,234 msg/s"). The ETA is the time left
// at the average rate so far; it shows as "--:--" until there is enough to
// go on (2 s and 1 % done), so the first wild guesses are never shown.
std::string progress_line(std::optional<double> fraction, double elapsed_s,
                          const std::string& counts);

}  // namespace crmr
