// decide(): the routing decision, in the order of crm-router(1) ROUTING (see man/reasons.txt
// for the reason codes):
//   1. duplicate (ledger, then the CRM's messageid)      -> Duplicate
//   2. hygiene (mail loop, delivery report, auto-reply)  -> Tossed
//   3. correlation (first hit wins)                      -> Queued, CorrelationMatch
//   4. usable From, internal e-mail                      -> Tossed
//   5. acceptance by the CRM recipients' filtering       -> Queued or Tossed
//      (an accepted message also lists every recipient that takes it: the
//      queues push puts it in)
//   6. parties and 7. attachment verdicts, for every message that is not a duplicate
// Duplicates stop at step 1: nothing of theirs is stored, so their parties are
// not resolved (that keeps replays of large archives cheap).
#include "core/decision/decision.h"

#include "core/decision/acceptance.h"
#include "core/decision/address_book.h"
#include "core/decision/attachment_policy.h"
#include "core/decision/correlation.h"
#include "core/decision/crm_recipients.h"
#include "core/decision/hygiene.h"
#include "core/base/normalize.h"
#include "core/decision/parties.h"

namespace crmr {
namespace {

// Step 1. True when the message is a duplicate (decision filled in).
bool duplicate(const Message& msg, const std::string& key, const CacheView& cache,
               Decision& d) {
  if (cache.ledger_has(key)) {
    d.steps.push_back(Step{"duplicate.ledger", true,
                           "message key " + key + " already processed by an earlier run"});
    return true;
  }
  d.steps.push_back(
      Step{"duplicate.ledger", false, "message key " + key + " not processed before"});

  const std::string id = normalize_message_id(msg.message_id);
  if (id.empty()) {
    d.steps.push_back(
        Step{"duplicate.crm_message_id", false, "no Message-ID to look up in the CRM"});
    return false;
  }
  auto tracked = cache.tracked_by_message_id(id);
  if (!tracked) {
    d.steps.push_back(Step{"duplicate.crm_message_id", false,
                           "the CRM tracks no e-mail with Message-ID <" + id + ">"});
    return false;
  }
  std::string detail = "the CRM already has Message-ID <" + id + "> as e-mail activity " +
                       tracked->activity_id;
  if (tracked->outgoing) detail += ": mail the CRM itself sent";
  d.steps.push_back(Step{"duplicate.crm_message_id", true, detail});
  d.correlated_activity_id = tracked->activity_id;
  return true;
}

// Step 3 hit: accepted with the tracked e-mail's regarding record.
void accept_correlated(CorrelationHit hit, Decision& d) {
  d.accepted = true;
  d.reason = "CorrelationMatch";
  d.correlation = hit.method;
  d.correlated_activity_id = hit.tracked.activity_id;
  if (!hit.tracked.regarding_entity.empty() && !hit.tracked.regarding_id.empty()) {
    d.regarding = Regarding{hit.tracked.regarding_entity, hit.tracked.regarding_id};
    d.steps.push_back(Step{"correlation.regarding", true,
                           "inherits regarding " + hit.tracked.regarding_entity + " {" +
                               hit.tracked.regarding_id + "} from tracked e-mail activity " +
                               hit.tracked.activity_id});
  } else {
    d.steps.push_back(Step{"correlation.regarding", false,
                           "tracked e-mail activity " + hit.tracked.activity_id +
                               " has no regarding record to inherit"});
  }
  d.steps.push_back(Step{"acceptance", true,
                         std::string("correlated (") + to_string(hit.method) +
                             ") with tracked e-mail activity " + hit.tracked.activity_id +
                             ": correlated messages are always accepted (CorrelationMatch)"});
}

// Steps 4 and 5 for uncorrelated mail: fills accepted and reason.
void accept_uncorrelated(const Message& msg, const AddressBook& book, const OrgSettings& org,
                         const Policy& policy, Decision& d) {
  if (auto from = sender_address(msg)) {
    d.steps.push_back(Step{"sender", false, "From address " + from->address});
  } else {
    std::string what = msg.from.empty() || msg.from.front().address.empty()
                           ? std::string("no From address")
                           : "From \"" + msg.from.front().address +
                                 "\" is not a usable e-mail address";
    d.steps.push_back(
        Step{"sender", true, what + "; an uncorrelated message needs a sender (InvalidSender)"});
    d.reason = "InvalidSender";
    return;
  }
  if (is_internal_email(msg, book, org, d.steps)) {
    d.reason = "InternalEmailReject";
    return;
  }
  auto verdict = accept_by_recipients(msg, book, policy, d.steps);
  d.accepted = verdict.accepted;
  d.reason = verdict.reason;
}

// An accepted message whose sender matches no record: the record push creates.
// Only a usable address (text@text) gets a record.
void mark_unknown_sender(const Message& msg, const Policy& policy, Decision& d) {
  const auto usable = sender_address(msg);
  if (!usable) return;
  for (Party& p : d.parties) {
    if (p.role != "from" || !p.entity.empty() || p.address != usable->address) continue;
    p.create = policy.create_unknown_sender;
    d.steps.push_back(Step{"parties.create", true,
                           "From " + p.address + " matches no record: push creates a " + p.create +
                               " for it, or uses one the CRM has by then "
                               "(routing.create_unknown_sender)"});
  }
}

}  // namespace

Decision decide(const Message& msg, const std::string& key, const CacheView& cache,
                const Policy& policy) {
  Decision d;
  d.key = key;
  if (duplicate(msg, key, cache, d)) {
    d.outcome = Outcome::Duplicate;
    d.reason = "Duplicate";
    return d;
  }

  const OrgSettings org = cache.org();
  const AddressBook book(cache);
  if (auto tossed = check_hygiene(msg, policy, d.steps)) {
    d.reason = *tossed;
  } else if (auto hit = correlate(msg, cache, org, policy, d.steps)) {
    accept_correlated(std::move(*hit), d);
  } else {
    accept_uncorrelated(msg, book, org, policy, d);
  }
  if (d.accepted)
    d.accepted_by = accepting_recipients(msg, book, policy, d.correlation != Correlation::None, d.steps);

  d.parties = resolve_parties(msg, book, org, d.steps);
  if (d.accepted && !policy.create_unknown_sender.empty()) mark_unknown_sender(msg, policy, d);
  d.attachments = judge_attachments(msg, org, d.steps);
  d.outcome = d.accepted ? Outcome::Queued : Outcome::Tossed;
  return d;
}

}  // namespace crmr
