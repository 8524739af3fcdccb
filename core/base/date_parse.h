// Tolerant RFC 5322 date parsing for the Date header.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace crmr {

// "Tue, 1 Jul 2003 10:52:37 +0200" -> Unix seconds UTC. Accepts a missing
// weekday, missing seconds, two- or three-digit years, obsolete zone names (UT,
// GMT, EST...; military and unknown zones count as +0000), comments, asctime
// order ("Tue Jul  1 10:52:37 2003") and ISO dates ("2003-07-01 10:52:37").
// std::nullopt when no plausible date can be read.
std::optional<std::int64_t> parse_rfc5322_date(std::string_view text);

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
// algorithm); month 1-12. Shared with the IMAP INTERNALDATE parser.
constexpr std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}
static_assert(days_from_civil(1970, 1, 1) == 0 && days_from_civil(2000, 3, 1) == 11017);

}  // namespace crmr
