// PushMessage: what a CRM sink receives to deliver one queued message: its
// bytes and the parts of its decision the CRM's e-mail is made of (parties
// resolved to records, regarding, correlation, the accepting users and
// queues, which attachments are kept). A value type of its own, so the CRM
// client depends on neither the report nor the decision: the push run builds
// it from the outbox's decision JSON (core/engine/push_message_of.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/party.h"

namespace crmr {

// A CRM record a decision points at: the regarding record, an accepting user or queue.
struct CrmRef {
  std::string entity;  // systemuser queue contact account lead ...
  std::string id;
  std::string name;    // for messages and the report; may be empty
};

// Whether an attachment of the message goes to the CRM (in message order).
struct PushAttachment {
  bool kept = true;
  std::string why;  // empty when kept; e.g. "blocked extension .exe"
};

struct PushDecision {
  std::string message_id;  // without angle brackets; empty when the message has none
  std::string subject;     // when the bytes have none
  std::string from;        // first From address, when the bytes have none
  std::string date;        // ISO 8601 UTC, when the bytes have none
  std::string reason;      // the decision's reason (InternalEmailSecondActivity, ...)
  std::string correlation;  // in_reply_to tracking_token conversation_index smart_match none
  std::string correlated_activity_id;
  std::optional<CrmRef> regarding;
  std::vector<CrmRef> accepted_by;  // every CRM user or queue that takes it, first first
  std::vector<Party> parties;
  std::vector<PushAttachment> attachments;
};

struct PushMessage {
  std::int64_t id = 0;  // the outbox item
  std::string key;
  std::string raw;      // the routed message's bytes
  // Its decision; nullopt when the outbox's copy cannot be read (why in
  // decision_error): the sink then fails the message for good.
  std::optional<PushDecision> decision;
  std::string decision_error;
};

}  // namespace crmr
