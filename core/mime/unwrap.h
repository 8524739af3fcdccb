// Forward-mailbox unwrap: a message whose substance is one attached
// message/rfc822 is replaced by that inner message.
#pragma once

#include <optional>
#include <string>

#include "core/message.h"
#include "core/mime/mime_parser.h"

namespace crmr {

struct Unwrapped {
  Message inner;
  std::string inner_raw;      // raw bytes of the inner message
  std::string forwarded_by;   // the outer From address
};

// std::nullopt when `outer` is not a forwarded-as-attachment wrapper (it has
// no message/rfc822 attachment, more than one, or other real attachments).
std::optional<Unwrapped> unwrap_forward(const Message& outer, const ParseLimits& limits = {});

}  // namespace crmr
