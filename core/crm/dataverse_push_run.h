// PushRun: the push of one push_all call, a state machine per message
// (dataverse_push.cc describes the states). Internal to core/crm: its
// member functions are split by concern over dataverse_push.cc (check,
// deliver, land, retries), dataverse_push_sender.cc (the record of an unknown
// sender), dataverse_push_blocks.cc (block upload of large attachments) and
// dataverse_push_incoming.cc (server mode). Everything runs on the thread
// that called push_all.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/base/normalize.h"
#include "core/crm/dataverse_duplicate_lookup.h"
#include "core/crm/dataverse_email.h"
#include "core/crm/dataverse_session.h"
#include "core/crm_sink.h"

namespace crmr::dataverse {

// A transient error of this try becomes one for a later try.
inline Error as_later(Error e) {
  if (e.retry == Retry::Now) e.retry = Retry::Later;
  return e;
}

class PushRun {
 public:
  PushRun(Session& s, const std::vector<PushMessage>& msgs, const PushDone& done)
      : s_(s), msgs_(msgs), done_(done), ahead_(s, msgs, [this] { fill(); }) {}

  Status run();

 private:
  // The large attachment being uploaded: its bytes (one at a time per job).
  struct BlockUpload {
    std::string data;
    nlohmann::json target;
    std::string token;
    std::size_t blocks = 0;
    std::size_t next = 0;  // block to send
  };

  struct Job {
    const PushMessage* m = nullptr;
    EmailPlan plan;
    int attempts = 0;
    bool rechecked = false;
    // Block upload (plan.large not empty), once the e-mail exists.
    std::string activity_id;
    std::vector<std::size_t> todo;  // indexes into plan.large still to send, in order
    BlockUpload up;
    std::vector<std::string> notes;  // what the block upload did, for the report
    bool resumed = false;
    std::optional<CrmRecord> created;  // the sender record this job created
    std::vector<QueueItemRef> placed;  // queue items its change set made
  };
  using JobPtr = std::shared_ptr<Job>;

  // One unknown sender's record (plan.new_sender), by entity and address:
  // looked up or created once per push, the other messages from it wait.
  struct Sender {
    bool busy = false;
    std::string id;
    std::string how;  // "created" or "found in the CRM"
    std::vector<JobPtr> waiting;
  };

  // Start the next messages whose duplicate check the lookahead has
  // answered, up to refill_ at a time, and keep the lookahead ahead of them.
  void fill();

  void start(const PushMessage& m, const DuplicateLookahead::Answer& a);

  void finish(const JobPtr& job, Result<PushResult> r);

  void check(const JobPtr& job, Clock::time_point when);

  // The duplicate check's answer: the e-mail with the message's messageid, if any.
  void checked(const JobPtr& job, const std::optional<FoundEmail>& found);

  // A transient failure after a non-idempotent request: check again later.
  void retry(const JobPtr& job, Error e);

  // A permanent failure: make sure the e-mail was not created meanwhile.
  void recheck_then_fail(const JobPtr& job, Error e);

  void on_failure(const JobPtr& job, const Error& e);

  void deliver(const JobPtr& job);

  // The e-mail exists: its queues and record rules, then the message is done.
  // `lookup`: it may have been there before (found, or delivered by the CRM).
  void land(const JobPtr& job, PushResult pr, bool lookup);

  // What failed before a re-check (kept per job while it re-checks).
  std::optional<Error>& last_error_of(const JobPtr& job) { return errors_[job.get()]; }

  // --- the record of an unknown sender (routing.create_unknown_sender),
  // dataverse_push_sender.cc

  static std::string sender_key(const NewSender& n) { return n.entity + ":" + normalize_address(n.address); }

  // Look the sender up (once per push and sender; later messages reuse the
  // answer), create it when the CRM has none, then deliver.
  void find_sender(const JobPtr& job);

  void create_sender(const std::string& key, const JobPtr& job);

  // The sender's record is known: every message waiting for it goes on.
  void sender_ready(const std::string& key, const std::string& id, bool created);

  // The lookup or the create failed: each waiting message takes its own
  // failure path (a retry comes back here through check).
  void sender_failed(const std::string& key, const Error& e);

  // --- block upload of the large attachments of an open e-mail (job->activity_id),
  // dataverse_push_blocks.cc

  // A failure after the e-mail exists: a transient one goes back to check
  // (which resumes); a permanent one ends the message, the e-mail left open.
  void block_failure(const JobPtr& job, Error e);

  // The open e-mail exists: list the large attachments it already has.
  void resume(const JobPtr& job);

  // Start the first attachment of job->todo, or complete the e-mail.
  void next_large(const JobPtr& job);

  // Send block up.next, then the next one, then commit.
  void upload_block(const JobPtr& job);

  void commit(const JobPtr& job);

  // Every large attachment is there: Completed / Received.
  void complete(const JobPtr& job);

  // --- server mode: the CRM decides (dataverse_push_incoming.cc)

  void check_incoming(const JobPtr& job);

  void deliver_incoming(const JobPtr& job, const std::string& reason);

  Session& s_;
  const std::vector<PushMessage>& msgs_;
  const PushDone& done_;
  std::size_t next_ = 0;
  std::size_t active_ = 0;
  std::size_t refill_ = 2;
  std::optional<Error> fatal_;
  std::map<const Job*, std::optional<Error>> errors_;
  std::map<std::string, Sender> senders_;  // unknown senders by entity:address
  DuplicateLookahead ahead_;  // the duplicate checks of many messages at once
};

}  // namespace crmr::dataverse
