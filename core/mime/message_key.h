// The identity of a message across sources (crm-router(1) ROUTING, duplicates).
#pragma once

#include <string>
#include <string_view>

#include "core/message.h"

namespace crmr {

// The normalised Message-ID when present ("mid:" prefix is not added: the key
// is the id itself); else "sha256:<hex>" of a content digest that is stable
// across sources (From, Date, Subject, To and the body, with line endings
// normalised and mbox escaping removed).
std::string message_key(const Message& msg, std::string_view raw);

}  // namespace crmr
