// RFC 5322 address lists: "Jane <jane@x>, bob@y, group: a@b;" -> Address values.
#pragma once

#include <string_view>
#include <vector>

#include "core/message.h"

namespace crmr {

// Parse a raw (undecoded) header value; display names are RFC 2047-decoded.
// Tolerant: garbage yields what can be recognised, never throws.
std::vector<Address> parse_address_list(std::string_view raw_value);

// Parse a list of message ids ("<a@b> <c@d>"), normalised (see normalize.h).
std::vector<std::string> parse_message_id_list(std::string_view raw_value);

}  // namespace crmr
