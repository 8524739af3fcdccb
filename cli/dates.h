// Dates given on the command line and in the config file.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace crmr {

// "YYYY-MM-DD" (midnight UTC) or "YYYY-MM-DDTHH:MM[:SS][Z]" (UTC) -> Unix seconds.
std::optional<std::int64_t> parse_cli_date(std::string_view s);

}  // namespace crmr
