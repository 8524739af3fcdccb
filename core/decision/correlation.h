// Correlation of a message with e-mail the CRM already tracks (crm-router(1)
// ROUTING): In-Reply-To/References, tracking token, conversation index,
// smart matching, in that order; each can be switched off, the first hit wins.
#pragma once

#include <optional>
#include <vector>

#include "core/cache_view.h"
#include "core/decision/decision.h"
#include "core/message.h"

namespace crmr {

struct CorrelationHit {
  Correlation method = Correlation::None;
  TrackedEmail tracked;  // the tracked e-mail the message correlates with
};

// Runs the enabled methods in order, appending one step per method evaluated
// (a switched-off method gets a step saying so). A tracking token that no
// tracked e-mail carries is a step whose detail starts with "NoCorrelationMatch",
// not a hit. Returns the first hit, or std::nullopt.
std::optional<CorrelationHit> correlate(const Message& msg, const CacheView& cache,
                                        const OrgSettings& org, const Policy& policy,
                                        std::vector<Step>& steps);

}  // namespace crmr
