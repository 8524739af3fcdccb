// What the e-mail create body records of how a message was correlated and
// who accepted it, limited to what the Web API takes on create (the e-mail
// table's column metadata, IsValidForCreate):
//
//   CorrelatedActivityId_Email@odata.bind  /emails(<tracked>)  every correlated message
//   parentactivityid@odata.bind            /emails(<tracked>)  In-Reply-To/References and
//                                                               conversation-index matches
//   acceptingentityid@odata.bind           /queues(<id>)       the first recipient that takes
//                                                               the message, when it is a queue
//
// Not sent, because the platform sets them and refuses them on create
// (IsValidForCreate false): correlationmethod, conversationindex, inreplyto.
// acceptingentityid's navigation property targets queues only (the user and
// queue relationships share one name and the Web API exposes the queue's), so
// a message a CRM user accepted has no accepting entity. Pure.
#pragma once

#include <nlohmann/json.hpp>

#include "core/push_message.h"

namespace crmr::dataverse {

// The navigation-property names above (the simulator refuses any other).
inline constexpr const char* kCorrelatedBind = "CorrelatedActivityId_Email@odata.bind";
inline constexpr const char* kParentBind = "parentactivityid@odata.bind";
inline constexpr const char* kAcceptingBind = "acceptingentityid@odata.bind";

// Adds the fields above that decision `e` supports to the create body `email`.
void add_correlation_fields(nlohmann::json& email, const PushDecision& e);

}  // namespace crmr::dataverse
