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

}  // namespace crmr
