// Hygiene rules of the decision (crm-router(1) ROUTING, hygiene): mail loops, delivery-status
// reports and auto-replies. Our own reason codes: MailLoop, DeliveryReport,
// AutoReply.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/decision/decision.h"
#include "core/message.h"

namespace crmr {

// Runs the hygiene rules in order (loop, delivery report, auto-reply), appending
// one step per rule evaluated to `steps`. Returns the reason code of the first
// rule that tosses the message, or std::nullopt when the message is clean.
std::optional<std::string> check_hygiene(const Message& msg, const Policy& policy,
                                         std::vector<Step>& steps);

}  // namespace crmr
