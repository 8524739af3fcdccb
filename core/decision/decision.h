// The routing decision: a pure function of (Message, CacheView, Policy).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/cache_view.h"
#include "core/message.h"
#include "core/party.h"

namespace crmr {

enum class Outcome { Pushed, Queued, Duplicate, Tossed, Quarantined, Failed };
enum class Correlation { None, InReplyTo, TrackingToken, ConversationIndex, SmartMatch };

// "pushed", "queued", ... and "in_reply_to", "tracking_token", ... as in the report.
const char* to_string(Outcome o);
const char* to_string(Correlation c);

// Mailbox role: whose mailbox the message was read from.
struct MailboxRole {
  enum Kind { None, Forward, User, Queue } kind = None;
  std::string address;  // for User/Queue: the owner's address
};

struct Policy {
  bool correlate_in_reply_to = true;
  bool correlate_tracking_token = true;
  bool correlate_conversation_index = true;
  std::optional<bool> smart_matching;  // unset: the organisation's setting
  MailboxRole role;
  std::string forwarded_by;       // set by unwrap: the forwarding user's address
  bool reject_auto_replies = true;
  bool reject_delivery_reports = true;
  int max_received_headers = 30;  // more Received: headers than this is a mail loop
  // Opt-in (crm-router(1) ROUTING, parties): the record push creates for the sender of an
  // accepted message whose From matches none: "" (none), "contact" or "lead".
  std::string create_unknown_sender;
};

struct AttachmentVerdict {
  std::string filename;
  std::uint64_t bytes = 0;
  bool kept = true;
  std::string why;  // empty when kept; e.g. "blocked extension .exe", "over 5242880 bytes"
};

// One step of the decision, for `explain` and the report.
struct Step {
  std::string rule;    // e.g. "duplicate.ledger", "correlation.tracking_token"
  bool fired = false;
  std::string detail;  // why it fired or did not
};

struct Regarding {
  std::string entity;
  std::string id;
};

// A CRM user or queue among the recipients (or the mailbox owner) whose
// filtering method takes the message. Push puts the e-mail into each such
// queue, and names the first one as the e-mail's accepting entity.
struct Acceptor {
  std::string entity;  // systemuser or queue
  std::string id;
  std::string name;
  std::string via;     // how it is a recipient: "To support@contoso.example", "mailbox owner ..."
};

struct Decision {
  std::string key;      // message key (see message_key in core/mime/message_key.h)
  bool accepted = false;
  Outcome outcome = Outcome::Tossed;  // Queued when accepted (the pipeline may change it)
  std::string reason;   // CRM vocabulary: Duplicate, CorrelationMatch, ..., or our own
  Correlation correlation = Correlation::None;
  std::string correlated_activity_id;
  std::optional<Regarding> regarding;
  std::vector<Acceptor> accepted_by;  // accepted messages: every CRM recipient that takes it
  std::vector<Party> parties;
  std::vector<AttachmentVerdict> attachments;
  std::vector<Step> steps;
};

// Decide what happens to `msg` whose key is `key`.
Decision decide(const Message& msg, const std::string& key, const CacheView& cache,
                const Policy& policy);

}  // namespace crmr
