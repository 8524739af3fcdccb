// Tracking tokens in subjects: "Re: Quote CRM:0001005" (crm-router(1) ROUTING, correlation).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/cache_view.h"

namespace crmr {

struct TrackingToken {
  std::string prefix;  // the organisation prefix that matched, as configured
  std::string digits;  // e.g. "0001005"
  std::string normalized() const;  // normalize_token(prefix + digits)
};

// Find the organisation's token in a decoded subject. Any of the prefixes
// (history) matches, with an optional space after the prefix; the digit
// count follows the organisation's layout. Foreign prefixes are ignored.
std::optional<TrackingToken> find_tracking_token(std::string_view subject,
                                                 const OrgSettings& org);

}  // namespace crmr
