// CrmSink: what the commands need of the CRM, behind one narrow interface with
// no HTTP or curl type in it: deliver queued messages (push), look up a
// Message-ID, and read what the local cache needs (sync). The Dataverse Web
// API implementation lives in core/crm/dataverse_*.cc (make_dataverse_sink).
//
// Failure: a failed message is an Error with Retry::Never (the CRM rejected it
// for good: quarantine it) or Retry::Later (transient trouble outlasted the
// retries of this run: leave it queued). Scope::Run means the CRM cannot be
// used at all (authentication, configuration); the caller stops.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/cache_view.h"
#include "core/crm_record.h"
#include "core/outbox_message.h"
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

// What a sink has sent to the CRM so far: HTTP requests (every attempt, the
// token endpoint's not counted), the same as the CRM's service protection
// counts them (a $batch counts its inner requests), and 429 answers.
struct CrmRequestCounts {
  std::uint64_t http = 0;
  std::uint64_t counted = 0;
  std::uint64_t throttled = 0;
};

// Called once per message, in completion order, on the thread that called push_all.
using PushDone = std::function<void(const OutboxMessage&, Result<PushResult>)>;


// One page of a record read: rows to upsert and ids deleted since the last read.
struct RecordPage {
  std::vector<CrmRecord> upserts;
  std::vector<std::string> deleted;
  bool full_read = false;  // rows of a full read (first sync, or an expired delta link)
};

// Who the CRM says the caller is (WhoAmI): the application user and its organisation.
struct CrmIdentity {
  std::string user_id;
  std::string business_unit_id;
  std::string organization_id;
};

// Called for each page in order; an error stops the read and is returned.
using RecordPageFn = std::function<Status(const RecordPage&)>;
using TrackedPageFn = std::function<Status(const std::vector<TrackedEmail>&)>;

class CrmSink {
 public:
  virtual ~CrmSink() = default;

  // Deliver every message, up to the sink's concurrency at a time; `done` is
  // called for each. Returns an error only when the run must stop (Scope::Run);
  // messages not yet finished then get no callback and stay queued.
  virtual Status push_all(const std::vector<OutboxMessage>& messages, const PushDone& done) = 0;

  // From a PushDone callback: end the push_all in progress. Messages not yet
  // finished get no callback (they stay queued); push_all returns success.
  virtual void cancel() = 0;

  // Requests sent so far (push_all's callers take the difference around it).
  virtual CrmRequestCounts request_counts() const = 0;

  // One message (push_all of one).
  Result<PushResult> push(const OutboxMessage& m);

  // The activity id of the CRM e-mail whose messageid is `message_id` (as
  // stored, with angle brackets), or nullopt.
  virtual Result<std::optional<std::string>> find_by_message_id(const std::string& message_id) = 0;

  // Records of `entity` (systemuser queue contact account lead). An empty
  // `delta_link` reads everything; else only changes since that link was
  // issued (an expired link falls back to a full read). Returns the link for
  // the next incremental read ("" when the entity set does not give one).
  virtual Result<std::string> read_records(const std::string& entity,
                                           const std::string& delta_link,
                                           const RecordPageFn& on_page) = 0;
  // systemuserid -> incomingemailfilteringmethod (usersettingscollection).
  virtual Result<std::map<std::string, int>> read_user_filtering() = 0;
  virtual Result<OrgSettings> read_org() = 0;
  // Tracked e-mails modified at or after `watermark` (ISO 8601; "" = all).
  // Returns the new watermark (the latest modifiedon seen, or `watermark`).
  virtual Result<std::string> read_tracked(const std::string& watermark,
                                           const TrackedPageFn& on_page) = 0;

  // For `check`: obtain an access token (nothing else is sent), then one
  // authenticated read. Errors carry the CRM's (or the identity platform's)
  // own text.
  virtual Status authenticate() = 0;
  virtual Result<CrmIdentity> who_am_i() = 0;
};

// The names of the CRM's CheckIncomingEmail reason codes, -1..7 ("Unknown" otherwise).
const char* incoming_reason_name(int code);

}  // namespace crmr
