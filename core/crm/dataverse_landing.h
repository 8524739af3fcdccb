// What follows an e-mail's arrival in the CRM, as Server-Side Synchronization
// does it for incoming mail: the e-mail goes into each queue that accepted it
// ([crm] queue_items; crm-router.conf(5)) and, opt-in, through the
// organisation's record creation rules ([crm] apply_record_rules).
//
//   queues  per accepting queue not yet known to hold the e-mail:
//             (lookup)  GET queueitems of the e-mail in that queue -> found: keep it
//             POST queues(Q)/Microsoft.Dynamics.CRM.AddToQueue     -> QueueItemId
//   rules   (lookup)  GET the e-mail's regarding: one the decision did not
//                     give it means the rules ran before: not again
//           POST ApplyRecordCreationAndUpdateRule
//
// `lookup` is set when the e-mail was there before this push reached it (a
// crash or a lost answer after it was created, another writer, the CRM's
// own delivery in server mode): what is looked up is not made twice. A new
// e-mail whose change set held its queue items (`pr.queues`) needs nothing
// more for its queues.
//
// Failure: AddToQueue or its lookup failing is the message's failure (the
// e-mail stays, and the next push of the message puts it in the queue):
// transient ones come back to the caller to retry from its duplicate check,
// permanent ones say which queue. The rules never fail the message: their
// failure is a note on it, except a Scope::Run error (authentication).
#pragma once

#include <functional>

#include "core/crm_sink.h"
#include "core/crm/dataverse_email.h"
#include "core/crm/dataverse_session.h"

namespace crmr::dataverse {

using Landed = std::function<void(Result<PushResult>)>;

// Runs the steps above for `plan`'s e-mail `pr.activity_id` through `s`
// (asynchronously, on the thread of s.run()) and calls `done` once with `pr`
// completed (queues, notes) or the failure. `plan` must outlive the call.
void land_email(Session& s, const EmailPlan& plan, PushResult pr, bool lookup, Landed done);

}  // namespace crmr::dataverse
