#include "core/crm/dataverse_correlation.h"

namespace crmr::dataverse {

void add_correlation_fields(nlohmann::json& email, const PushDecision& e) {
  const bool correlated = !e.correlation.empty() && e.correlation != "none";
  if (correlated && !e.correlated_activity_id.empty()) {
    const std::string ref = "/emails(" + e.correlated_activity_id + ")";
    email[kCorrelatedBind] = ref;
    // The platform's parent is the e-mail replied to: found through the
    // message ids or the Outlook conversation, not a token or a hash.
    if (e.correlation == "in_reply_to" || e.correlation == "conversation_index") email[kParentBind] = ref;
  }
  if (!e.accepted_by.empty() && e.accepted_by.front().entity == "queue" && !e.accepted_by.front().id.empty())
    email[kAcceptingBind] = "/queues(" + e.accepted_by.front().id + ")";
}

}  // namespace crmr::dataverse
