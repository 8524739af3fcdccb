// MIME parsing: raw RFC 5322 bytes -> Message. The only code that touches
// mimetic (and its one exception firewall).
#pragma once

#include <cstddef>
#include <string_view>

#include "core/message.h"
#include "core/result.h"

namespace crmr {

// Bounds applied before and during parsing (hostile input). Defaults are
// documented in crm-router.conf(5).
struct ParseLimits {
  std::size_t max_message_bytes = 100u * 1024 * 1024;  // larger: error parse.too_large
  std::size_t max_header_bytes = 1024u * 1024;         // whole header block; more is cut
  std::size_t max_header_line = 64u * 1024;            // one (unfolded) field; more is cut
  std::size_t max_parts = 10000;                       // MIME parts; more are skipped
  std::size_t max_depth = 32;                          // multipart/message nesting
};

// Parse one message. Broken input gives a Message with warnings; an error only
// when nothing usable can be made of it (e.g. empty, or over max_message_bytes).
Result<Message> parse_message(std::string_view raw, const ParseLimits& limits = {});

}  // namespace crmr
