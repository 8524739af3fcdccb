// What one queued message becomes in Dataverse: the e-mail create body (deep
// insert with its parties and regarding), its kept attachments, the change
// set that creates them atomically, and the server-decides requests
// (CheckIncomingEmail / DeliverIncomingEmail). Pure: built from the outbox's
// raw bytes (re-parsed for bodies and attachment data) and its decision
// (PushMessage::decision).
// Attachments over a size go to the block upload (dataverse_blocks.h) and
// are only named here: their bytes are read again when they are uploaded.
//
// Failure: an outbox item whose decision or bytes cannot be read is an Error
// "crm.bad_outbox" with Retry::Never (it is quarantined).
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "core/crm_sink.h"
#include "core/push_message.h"
#include "core/mime/mime_parser.h"
#include "core/crm/dataverse_request.h"
#include "core/result.h"

namespace crmr::dataverse {

inline constexpr std::size_t kSubjectLimit = 800;
inline constexpr std::size_t kMessageIdLimit = 320;
// Kept attachments whose decoded size is over this go by block upload
// (Dataverse: "files over about 4 MB").
inline constexpr std::uint64_t kBlockUploadOver = 4u * 1024 * 1024;
// plan_email's default: every kept attachment inline (server mode, dry run).
inline constexpr std::uint64_t kAllInline = std::numeric_limits<std::uint64_t>::max();

// A kept attachment sent by block upload after the e-mail exists.
struct LargeAttachment {
  std::size_t part = 0;      // index in the parsed message's attachments
  std::string filename;      // as the CRM stores it (attachment_name)
  std::string mimetype;
  std::string content_id;    // attachmentcontentid; empty if none
  std::uint64_t size = 0;    // decoded bytes (the CRM's filesize)
};

// The record push creates for an unknown sender (Party::create), after
// looking for one with the address first (sender_query), so a second message
// from the same sender, or a rerun after a crash, uses the same record.
struct NewSender {
  std::string entity;     // contact or lead
  std::string address;    // as written in From
  nlohmann::json body;    // the create body: emailaddress1, firstname, lastname (lead: subject)
  std::size_t party = 0;  // its index in email["email_activity_parties"]
};

struct EmailPlan {
  std::string label;       // names the message in errors: "outbox item 12 <id>"
  std::string message_id;  // as stored in the CRM: "<id>", at most 320 characters
  nlohmann::json email;    // the create body, without statecode/statuscode
  std::vector<nlohmann::json> attachments;  // activitymimeattachment bodies, without the bind
  std::vector<LargeAttachment> large;       // by block upload, in message order (no bytes held)
  std::vector<std::string> notes;           // truncations and left-out attachments
  std::optional<NewSender> new_sender;      // a sender record to find or create first
  std::vector<CrmRef> queues;             // the queues that accepted it: the e-mail goes into each
  std::string regarding_id;                 // the regarding record the decision gave it ("" none)
  // The CRM holds the sender's (sent) copy of this message, mail between CRM
  // users the organisation tracks as two activities: the duplicate check
  // looks for a received e-mail only (decision reason InternalEmailSecondActivity).
  bool beside_sent_copy = false;

  // For the server-decides mode.
  std::string subject, from, to, cc, bcc, received_on, body;
  int priority = 1;
};

// The messageid the CRM stores for outbox item `m` and how its duplicate
// check looks for it: plan_email's message_id and beside_sent_copy, without
// parsing the bytes when the decision names the Message-ID (the many-message
// duplicate lookup reads it for messages it will plan later).
struct MessageKey {
  std::string message_id;      // "<id>", at most 320 characters
  bool received_only = false;  // beside_sent_copy
};
Result<MessageKey> message_key(const PushMessage& m, const ParseLimits& limits = {});

// Build the plan of outbox item `m`. Kept attachments of more than
// `block_upload_over` decoded bytes go to `large`, the others to `attachments`.
Result<EmailPlan> plan_email(const PushMessage& m, const ParseLimits& limits = {},
                             std::uint64_t block_upload_over = kAllInline);

struct ChangeSetOptions {
  std::string api_path = "/api/data/v9.2/";  // path of the Web API base URL
  bool state_in_create = false;  // statecode/statuscode in the create body, else a PATCH $1
  bool bind_email = false;       // attachments bind objectid_email, else objectid_activitypointer
  bool queue_items = false;      // a queueitems create per p.queues, after the rest
};

// The requests of the change set: POST emails (Content-ID 1), POST
// activitymimeattachments per (inline) attachment, then PATCH $1 to
// Completed/Received (unless state_in_create), then (queue_items) POST
// queueitems per accepting queue. With large attachments the
// state is left out either way: the e-mail stays open until they are all
// committed (dataverse_push_blocks.cc completes it then).
std::vector<BatchRequest> change_set(const EmailPlan& p, const ChangeSetOptions& o);

// Server-decides mode: the CheckIncomingEmail function URL (relative to the API
// base, parameter aliases URL-encoded) and the DeliverIncomingEmail body. The
// action takes attachments inline only: plan with kAllInline for it.
std::string check_incoming_url(const EmailPlan& p);
nlohmann::json deliver_incoming_body(const EmailPlan& p);

// The query for a record of `entity` with `address` in any of its three
// address fields (relative to the API base URL).
std::string sender_query(std::string_view entity, std::string_view address);

// Bind the From party of `p` to the record `id` of p.new_sender.
void bind_sender(EmailPlan& p, const std::string& id);

// At most `limit` code points of UTF-8 `text`.
std::string utf8_prefix(std::string_view text, std::size_t limit, bool* truncated = nullptr);

}  // namespace crmr::dataverse
