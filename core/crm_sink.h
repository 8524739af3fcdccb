// CrmSink: the push side of the CRM, behind one narrow interface with no HTTP
// or curl type in it: deliver queued messages, stop, count the requests sent,
// and plan a message for the dry run. The reads sync and check need are
// CrmReader (core/crm_reader.h). The Dataverse Web API implementation lives
// in core/crm (make_dataverse_sink, core/crm/dataverse.h).
//
// Failure: a failed message is an Error with Retry::Never (the CRM rejected it
// for good: quarantine it) or Retry::Later (transient trouble outlasted the
// retries of this run: leave it queued). Scope::Run means the CRM cannot be
// used at all (authentication, configuration); the caller stops.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/crm_record.h"
#include "core/push_message.h"
#include "core/queue_item.h"
#include "core/result.h"

namespace crmr {

struct PushResult {
  std::string activity_id;         // the CRM e-mail that holds the message
  bool existed = false;            // the CRM already had its messageid: nothing created
  std::string reason;              // server mode: the CRM's reason code name (CorrelationMatch ...)
  std::vector<std::string> notes;  // truncations, attachments left out: for the report
  std::optional<CrmRecord> created;  // the sender's record push created (routing.create_unknown_sender)
  std::vector<QueueItemRef> queues;  // the accepting queues the e-mail is in ([crm] queue_items)
};

// What a push of one message would send (the dry run), without sending anything.
struct PushPreview {
  struct Large {
    std::string filename;
    std::uint64_t size = 0;  // decoded bytes
  };
  std::size_t attachments = 0;       // kept attachments, the large ones included
  std::vector<Large> large;          // sent by block upload after the e-mail exists
  std::vector<std::string> queues;   // the queues it goes into (name, else id); empty without queue items
  std::vector<std::string> notes;    // truncations, attachments left out
};

// What a sink has sent to the CRM so far: HTTP requests (every attempt, the
// token endpoint's not counted), the same as the CRM's service protection
// counts them (a $batch counts its inner requests), and 429 answers.
struct CrmRequestCounts {
  std::uint64_t http = 0;
  std::uint64_t counted = 0;
  std::uint64_t throttled = 0;
};

// Called once per message, in completion order, on the thread that called push_all.
using PushDone = std::function<void(const PushMessage&, Result<PushResult>)>;

class CrmSink {
 public:
  virtual ~CrmSink() = default;

  // Deliver every message, up to the sink's concurrency at a time; `done` is
  // called for each. Returns an error only when the run must stop (Scope::Run);
  // messages not yet finished then get no callback and stay queued.
  virtual Status push_all(const std::vector<PushMessage>& messages, const PushDone& done) = 0;

  // From a PushDone callback: end the push_all in progress. Messages not yet
  // finished get no callback (they stay queued); push_all returns success.
  virtual void cancel() = 0;

  // Requests sent so far (push_all's callers take the difference around it).
  virtual CrmRequestCounts request_counts() const = 0;

  // What push_all would make of `m`, planned as push plans it (so the large
  // attachments show as they would go); sends nothing. An error is the one
  // push_all would quarantine the message with.
  virtual Result<PushPreview> preview(const PushMessage& m) const = 0;

  // One message (push_all of one).
  Result<PushResult> push(const PushMessage& m);
};

// The names of the CRM's CheckIncomingEmail reason codes, -1..7 ("Unknown" otherwise).
const char* incoming_reason_name(int code);

}  // namespace crmr
