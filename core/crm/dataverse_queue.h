// The requests that put an e-mail into the queues that accepted it and run
// the organisation's record creation rules on it (Dataverse Web API), and the
// reading of their answers:
//
//   POST queueitems {"queueid@odata.bind": "/queues(Q)", "objectid_email@odata.bind": "$1"}
//        inside the e-mail's change set (the e-mail and its queue items land together)
//   GET  queueitems?$select=queueitemid&$filter=_objectid_value eq E and _queueid_value eq Q
//        before putting a found e-mail into a queue (after a crash, a lost answer)
//   POST queues(Q)/Microsoft.Dynamics.CRM.AddToQueue {"Target": <the e-mail>} -> QueueItemId
//   POST ApplyRecordCreationAndUpdateRule {"Target": <the e-mail>}
//   GET  emails(E)?$select=_regardingobjectid_value
//        before running the rules again on a found e-mail
//
// Pure request building and answer reading; dataverse_landing.h sends them.
// Failure: an answer that is not what the Web API documents is an Error
// "crm.bad_response", Retry::Later.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/crm/dataverse_email.h"
#include "core/crm/dataverse_http.h"
#include "core/crm/dataverse_request.h"
#include "core/result.h"

namespace crmr::dataverse {

// The change-set request that puts the e-mail `email_ref` ("$1", or
// "/emails(<id>)") into queue `queue_id`.
BatchRequest queue_item_create(const std::string& api_path, const std::string& queue_id,
                               const std::string& email_ref, std::string content_id);

// The queue items a change set's answer made, in the order of `p.queues`
// (the parts whose OData-EntityId names a queueitem).
std::vector<QueueItemRef> queue_items_in_answer(const std::vector<BatchPart>& parts, const EmailPlan& p);

// The lookup of e-mail `email_id`'s item in queue `queue_id` (relative URL),
// and the item's id in its answer, or nullopt when there is none.
std::string queue_item_query(const std::string& email_id, const std::string& queue_id);
Result<std::optional<std::string>> parse_queue_item(const HttpResponse& resp, const std::string& what);

// AddToQueue of e-mail `email_id` into queue `queue_id`: the URL (relative),
// and the QueueItemId of its answer.
std::string add_to_queue_url(const std::string& queue_id);
Result<std::string> parse_add_to_queue(const HttpResponse& resp, const std::string& what);

// {"Target": {"activityid": ..., "@odata.type": "Microsoft.Dynamics.CRM.email"}}:
// the body of AddToQueue and of ApplyRecordCreationAndUpdateRule.
std::string email_target_body(const std::string& email_id);
inline constexpr const char* kApplyRulesUrl = "ApplyRecordCreationAndUpdateRule";

// The regarding record of e-mail `email_id`: the query, and its id in the
// answer ("" when it has none).
std::string regarding_query(const std::string& email_id);
Result<std::string> parse_regarding(const HttpResponse& resp, const std::string& what);

}  // namespace crmr::dataverse
