// Times as ISO 8601 UTC ("2026-05-01T10:00:00Z"), the format of the report,
// the CRM's date fields and the store's timestamps.
#pragma once

#include <cstdint>
#include <string>

namespace crmr {

// Current time as ISO 8601 UTC; Unix seconds to ISO 8601 UTC ("" outside
// the years 0000..9999).
std::string iso_now();
std::string iso_utc(std::int64_t unix_seconds);

}  // namespace crmr
