// What one queued message becomes in Dataverse: the e-mail create body (deep
// insert with its parties and regarding), its kept attachments, the change
// set that creates them atomically, and the server-decides requests
// (CheckIncomingEmail / DeliverIncomingEmail). Pure: built from the outbox's
// raw bytes (re-parsed for bodies and attachment data) and its decision JSON.
//
// Failure: an outbox item whose decision or bytes cannot be read is an Error
// "crm.bad_outbox" with Retry::Never (it is quarantined).
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "core/crm_sink.h"
#include "core/mime_parser.h"
#include "core/net/dataverse_request.h"
#include "core/result.h"

namespace crmr::dataverse {

inline constexpr std::size_t kSubjectLimit = 800;
inline constexpr std::size_t kMessageIdLimit = 320;

struct EmailPlan {
  std::string label;       // names the message in errors: "outbox item 12 <id>"
  std::string message_id;  // as stored in the CRM: "<id>", at most 320 characters
  nlohmann::json email;    // the create body, without statecode/statuscode
  std::vector<nlohmann::json> attachments;  // activitymimeattachment bodies, without the bind
  std::vector<std::string> notes;           // truncations and left-out attachments

  // For the server-decides mode.
  std::string subject, from, to, cc, bcc, received_on, body;
  int priority = 1;
};

// Build the plan of outbox item `m`.
Result<EmailPlan> plan_email(const OutboxMessage& m, const ParseLimits& limits = {});

struct ChangeSetOptions {
  std::string api_path = "/api/data/v9.2/";  // path of the Web API base URL
  bool state_in_create = false;  // statecode/statuscode in the create body, else a PATCH $1
  bool bind_email = false;       // attachments bind objectid_email, else objectid_activitypointer
};

// The requests of the change set: POST emails (Content-ID 1), POST
// activitymimeattachments per attachment, then PATCH $1 to Completed/Received
// (unless state_in_create).
std::vector<BatchRequest> change_set(const EmailPlan& p, const ChangeSetOptions& o);

// Server-decides mode: the CheckIncomingEmail function URL (relative to the API
// base, parameter aliases URL-encoded) and the DeliverIncomingEmail body.
std::string check_incoming_url(const EmailPlan& p);
nlohmann::json deliver_incoming_body(const EmailPlan& p);

// HTML-escape `text` (& < > " ').
std::string html_escape(std::string_view text);
// At most `limit` code points of UTF-8 `text`.
std::string utf8_prefix(std::string_view text, std::size_t limit, bool* truncated = nullptr);

}  // namespace crmr::dataverse
