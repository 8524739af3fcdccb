// String names of outcomes and correlation methods, as the report spells them.
#include "core/decision/decision.h"

namespace crmr {

const char* to_string(Outcome o) {
  switch (o) {
    case Outcome::Pushed: return "pushed";
    case Outcome::Queued: return "queued";
    case Outcome::Duplicate: return "duplicate";
    case Outcome::Tossed: return "tossed";
    case Outcome::Quarantined: return "quarantined";
    case Outcome::Failed: return "failed";
  }
  return "failed";
}

const char* to_string(Correlation c) {
  switch (c) {
    case Correlation::None: return "none";
    case Correlation::InReplyTo: return "in_reply_to";
    case Correlation::TrackingToken: return "tracking_token";
    case Correlation::ConversationIndex: return "conversation_index";
    case Correlation::SmartMatch: return "smart_match";
  }
  return "none";
}

}  // namespace crmr
