// Push: each queued message is a small state machine driven by the answers of
// the Session (all on the thread that called push_all):
//   check    is its messageid in the CRM? Answered for many messages at once by
//            the lookahead (dataverse_duplicate_lookup.h), else (a retry, or what
//            the lookahead cannot say) by its own
//            GET emails?$select=activityid,statecode&$filter=messageid eq '...'
//            -> exists: done (existed), unless open with large attachments: resume
//   deliver  POST $batch (one change set)            -> created: done
//            or CheckIncomingEmail + DeliverIncomingEmail (server mode)
// A message with attachments over kBlockUploadOver (dataverse_blocks.h) is
// created open by its change set (e-mail + small attachments), then:
//   blocks   per large attachment: InitializeAttachmentBlocksUpload,
//            UploadBlock per block, CommitAttachmentBlocksUpload
//   complete PATCH emails(<id>) to Completed/Received: the mark that it landed whole
//   resume   (an open e-mail found by check) GET its large attachments, then
//            blocks for the ones not there yet (filename + size), then complete
// Every e-mail that exists at the end (created, found, delivered) then lands
// (dataverse_landing.h): into its accepting queues, through the record rules.
// A transient failure of deliver or of a commit starts again at check after a
// backoff (what was sent may have landed although its answer was lost), up
// to max_attempts; a permanent one of deliver is checked once more (a
// concurrent writer may have created it) and then reported as permanent; a
// permanent one of the block upload is reported at once (the e-mail stays
// open, and the next push of the message resumes it).
#include <map>
#include <random>

#include "core/base/crash_point.h"
#include "core/crm/dataverse_blocks.h"
#include "core/crm/dataverse_duplicate_lookup.h"
#include "core/crm/dataverse_email.h"
#include "core/crm/dataverse_landing.h"
#include "core/crm/dataverse_queue.h"
#include "core/crm/dataverse_request.h"
#include "core/crm/dataverse_sink.h"
#include "core/base/normalize.h"

namespace crmr {

const char* incoming_reason_name(int code) {
  switch (code) {
    case -1: return "Unknown";
    case 0: return "Duplicate";
    case 1: return "NoCorrelationMatch";
    case 2: return "CorrelationMatch";
    case 3: return "NoRecipientMatch";
    case 4: return "InternalEmailReject";
    case 5: return "SenderMatch";
    case 6: return "AcceptAll";
    case 7: return "InvalidSender";
    default: return "Unknown";
  }
}

Result<PushResult> CrmSink::push(const OutboxMessage& m) {
  std::optional<Result<PushResult>> out;
  auto st = push_all({m}, [&](const OutboxMessage&, Result<PushResult> r) { out = std::move(r); });
  if (!st) return std::unexpected(st.error());
  if (!out) return fail(Code::CrmStopped, "outbox item " + std::to_string(m.id) + " was not pushed");
  return std::move(*out);
}

namespace dataverse {
namespace {

std::string batch_id() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  static const char* hex = "0123456789abcdef";
  std::string id;
  std::uint64_t a = rng(), b = rng();
  for (int i = 0; i < 16; ++i) id += hex[(a >> (i * 4)) & 15];
  for (int i = 0; i < 16; ++i) id += hex[(b >> (i * 4)) & 15];
  return id;
}

Error as_later(Error e) {
  if (e.retry == Retry::Now) e.retry = Retry::Later;
  return e;
}

}  // namespace

namespace {

class PushRun {
 public:
  PushRun(Session& s, const std::vector<OutboxMessage>& msgs, const PushDone& done)
      : s_(s), msgs_(msgs), done_(done), ahead_(s, msgs, [this] { fill(); }) {}

  Status run() {
    s_.resume();
    refill_ = std::max<std::size_t>(2, s_.options().concurrency * 2);
    fill();
    auto st = s_.run();
    if (!st) return st;
    if (fatal_) return std::unexpected(*fatal_);
    return {};
  }

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
    const OutboxMessage* m = nullptr;
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
  void fill() {
    while (!fatal_ && !s_.stopped() && next_ < msgs_.size() && active_ < refill_) {
      auto a = ahead_.answer(next_);
      if (!a) break;
      start(msgs_[next_++], *a);
    }
    if (!fatal_ && !s_.stopped()) ahead_.advance(next_, refill_);
  }

  void start(const OutboxMessage& m, const DuplicateLookahead::Answer& a) {
    ++active_;
    auto job = std::make_shared<Job>();
    job->m = &m;
    auto plan = plan_email(m, s_.options().limits,
                           s_.options().server_mode ? kAllInline : kBlockUploadOver);
    if (!plan) {
      finish(job, std::unexpected(plan.error()));
      return;
    }
    job->plan = std::move(*plan);
    if (a.single) return check(job, {});
    checked(job, a.found);
  }

  void finish(const JobPtr& job, Result<PushResult> r) {
    --active_;
    errors_.erase(job.get());
    if (s_.stopped()) return;  // cancelled: the message stays queued, unreported
    if (!r && r.error().scope == Scope::Run) {
      if (!fatal_) fatal_ = r.error();
      s_.stop();
      return;
    }
    if (r) {
      r->notes.insert(r->notes.begin(), job->notes.begin(), job->notes.end());
      r->notes.insert(r->notes.begin(), job->plan.notes.begin(), job->plan.notes.end());
      r->created = std::move(job->created);
    }
    done_(*job->m, std::move(r));
    fill();
  }

  void check(const JobPtr& job, Clock::time_point when) {
    HttpRequest req;
    req.url = duplicate_query(job->plan.message_id, job->plan.beside_sent_copy);
    req.label = "duplicate check of " + job->plan.label;
    s_.send(std::move(req), true, [this, job](Result<HttpResponse> r) {
      if (!r) return finish(job, std::unexpected(as_later(r.error())));
      auto found = parse_found_email(*r, "duplicate check of " + job->plan.label);
      if (!found) return finish(job, std::unexpected(found.error()));
      checked(job, *found);
    }, when);
  }

  // The duplicate check's answer: the e-mail with the message's messageid, if any.
  void checked(const JobPtr& job, const std::optional<FoundEmail>& found) {
    if (found) {
      job->activity_id = found->activity_id;
      if (!job->plan.large.empty() && found->statecode == kStateOpen) return resume(job);
      PushResult pr;
      pr.activity_id = job->activity_id;
      pr.existed = true;
      return land(job, std::move(pr), true);
    }
    if (job->rechecked) return finish(job, std::unexpected(*last_error_of(job)));
    if (s_.options().server_mode) check_incoming(job);
    else if (job->plan.new_sender) find_sender(job);
    else deliver(job);
  }

  // --- the record of an unknown sender (routing.create_unknown_sender)

  static std::string sender_key(const NewSender& n) { return n.entity + ":" + normalize_address(n.address); }

  // Look the sender up (once per push and sender; later messages reuse the
  // answer), create it when the CRM has none, then deliver.
  void find_sender(const JobPtr& job) {
    const NewSender& n = *job->plan.new_sender;
    const std::string key = sender_key(n);
    Sender& s = senders_[key];
    if (!s.id.empty()) {
      job->notes.push_back("sender " + n.address + ": " + n.entity + " " + s.id + " (" + s.how +
                           " for an earlier message)");
      bind_sender(job->plan, s.id);
      return deliver(job);
    }
    s.waiting.push_back(job);
    if (s.busy) return;
    s.busy = true;
    HttpRequest req;
    req.url = sender_query(n.entity, n.address);
    req.label = n.entity + " lookup of " + n.address + " for " + job->plan.label;
    const std::string label = req.label;
    s_.send(std::move(req), true, [this, key, job, label](Result<HttpResponse> r) {
      if (!r) return sender_failed(key, as_later(r.error()));
      auto j = parse_json(r->body, label);
      if (!j) return sender_failed(key, j.error());
      const std::string field = job->plan.new_sender->entity + "id";
      const nlohmann::json* rows = j->is_object() && j->contains("value") ? &(*j)["value"] : nullptr;
      if (!rows || !rows->is_array())
        return sender_failed(key, Error{Code::CrmBadResponse, label + ": the CRM's answer has no \"value\" list",
                                        "", Scope::Message, Retry::Later});
      if (rows->empty()) return create_sender(key, job);
      const nlohmann::json& row = (*rows)[0];
      if (!row.is_object() || !row.contains(field) || !row[field].is_string())
        return sender_failed(key, Error{Code::CrmBadResponse, label + ": a found record without " + field, "",
                                        Scope::Message, Retry::Later});
      sender_ready(key, row[field].get<std::string>(), false);
    });
  }

  void create_sender(const std::string& key, const JobPtr& job) {
    const NewSender& n = *job->plan.new_sender;
    HttpRequest req;
    req.method = "POST";
    req.url = entity_set(n.entity);
    req.label = "create of a " + n.entity + " for " + n.address + " (" + job->plan.label + ")";
    req.body = n.body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    req.fresh_connection = true;  // repeated by libcurl, it would make a second record
    const std::string label = req.label;
    crash_point("push_sender_before");
    // Not idempotent: a lost answer goes back to check, whose lookup finds it.
    s_.send(std::move(req), false, [this, key, job, label](Result<HttpResponse> r) {
      crash_point("push_sender_after");
      if (!r) return sender_failed(key, r.error());
      std::string id = id_from_entity_url(r->header("odata-entityid"));
      if (id.empty())
        return sender_failed(key, Error{Code::CrmBadResponse, label + ": no OData-EntityId for the new record", "",
                                        Scope::Message, Retry::Later});
      const NewSender& n = *job->plan.new_sender;
      CrmRecord made;
      made.entity = n.entity;
      made.id = id;
      made.name = n.body.value("firstname", std::string());
      made.name += (made.name.empty() ? "" : " ") + n.body.value("lastname", std::string());
      made.addresses = {n.address};
      job->created = std::move(made);
      sender_ready(key, id, true);
    });
  }

  // The sender's record is known: every message waiting for it goes on.
  void sender_ready(const std::string& key, const std::string& id, bool created) {
    std::vector<JobPtr> waiting = std::move(senders_[key].waiting);
    senders_[key] = Sender{false, id, created ? "created" : "found in the CRM", {}};
    for (const JobPtr& job : waiting) {
      const NewSender& n = *job->plan.new_sender;
      job->notes.push_back("sender " + n.address + ": " + n.entity + " " + id +
                           (job->created ? " created (unknown sender)"
                            : created    ? " (created for an earlier message)"
                                         : " found in the CRM"));
      bind_sender(job->plan, id);
      deliver(job);
    }
  }

  // The lookup or the create failed: each waiting message takes its own
  // failure path (a retry comes back here through check).
  void sender_failed(const std::string& key, const Error& e) {
    std::vector<JobPtr> waiting = std::move(senders_[key].waiting);
    senders_.erase(key);
    for (const JobPtr& job : waiting) on_failure(job, e);
  }

  // What failed before a re-check (kept per job while it re-checks).
  std::optional<Error>& last_error_of(const JobPtr& job) { return errors_[job.get()]; }

  // A transient failure after a non-idempotent request: check again later.
  void retry(const JobPtr& job, Error e) {
    if (++job->attempts >= s_.options().max_attempts)
      return finish(job, std::unexpected(as_later(std::move(e))));
    check(job, Clock::now() + s_.backoff(job->attempts));
  }

  // A permanent failure: make sure the e-mail was not created meanwhile.
  void recheck_then_fail(const JobPtr& job, Error e) {
    if (job->rechecked) return finish(job, std::unexpected(std::move(e)));
    job->rechecked = true;
    last_error_of(job) = std::move(e);
    check(job, {});
  }

  void on_failure(const JobPtr& job, const Error& e) {
    if (e.scope == Scope::Run) return finish(job, std::unexpected(e));
    if (e.retry == Retry::Never) return recheck_then_fail(job, e);
    retry(job, e);
  }

  void deliver(const JobPtr& job) {
    ChangeSetOptions co;
    co.api_path = s_.api_path();
    co.state_in_create = s_.options().state_in_create;
    co.bind_email = s_.options().bind_email;
    co.queue_items = s_.options().queue_items && s_.options().queue_items_in_batch;
    const std::string id = batch_id();
    HttpRequest req;
    req.method = "POST";
    req.url = "$batch";
    req.label = "$batch create of " + job->plan.label;
    req.headers = {{"Content-Type", batch_content_type(id)}};
    const auto parts = change_set(job->plan, co);
    req.counts_as = parts.size();
    req.body = batch_body(parts, id);
    crash_point("push_before");
    s_.send(std::move(req), false, [this, job](Result<HttpResponse> r) {
      crash_point("push_after");
      const std::string what = "$batch create of " + job->plan.label;
      if (!r) return on_failure(job, r.error());
      auto parts = parse_batch_response(r->header("content-type"), r->body, what);
      if (!parts) return finish(job, std::unexpected(parts.error()));
      if (parts->empty())
        return finish(job, fail(Code::CrmBadResponse, what + ": an empty $batch answer"));
      for (const BatchPart& p : *parts) {
        if (p.status >= 200 && p.status < 300) continue;
        HttpRequest inner;
        inner.label = what + " (part " + (p.content_id.empty() ? "?" : p.content_id) + ")";
        HttpResponse resp{p.status, p.headers, p.body};
        if (p.status == 429) s_.throttled(p.header("retry-after"));
        Error e = http_error(inner, resp);
        if (p.status == 429) e.retry = Retry::Now;
        return on_failure(job, e);
      }
      std::string id = id_from_entity_url(parts->front().header("odata-entityid"));
      if (id.empty()) id = id_from_entity_url(parts->front().header("location"));
      if (id.empty()) {
        auto j = nlohmann::json::parse(parts->front().body, nullptr, false);
        if (j.is_object() && j.contains("activityid") && j["activityid"].is_string())
          id = j["activityid"].get<std::string>();
      }
      if (id.empty())
        return finish(job, fail(Code::CrmBadResponse, what + ": no OData-EntityId for the new e-mail"));
      job->activity_id = id;
      job->placed = queue_items_in_answer(*parts, job->plan);
      if (job->plan.large.empty()) {
        PushResult pr;
        pr.activity_id = id;
        return land(job, std::move(pr), false);
      }
      job->todo.clear();
      for (std::size_t i = 0; i < job->plan.large.size(); ++i) job->todo.push_back(i);
      next_large(job);
    });
  }

  // The e-mail exists: its queues and record rules, then the message is done.
  // `lookup`: it may have been there before (found, or delivered by the CRM).
  void land(const JobPtr& job, PushResult pr, bool lookup) {
    pr.queues = job->placed;
    land_email(s_, job->plan, std::move(pr), lookup, [this, job](Result<PushResult> r) {
      if (r || r.error().scope == Scope::Run || r.error().retry == Retry::Never) return finish(job, std::move(r));
      retry(job, r.error());  // back to check, which finds the e-mail and looks up what is there
    });
  }

  // --- block upload of the large attachments of an open e-mail (job->activity_id)

  // A failure after the e-mail exists: a transient one goes back to check
  // (which resumes); a permanent one ends the message, the e-mail left open.
  void block_failure(const JobPtr& job, Error e) {
    job->up = {};
    if (e.scope == Scope::Run) return finish(job, std::unexpected(std::move(e)));
    if (e.retry == Retry::Never) {
      e.message += "; the e-mail " + job->activity_id +
                   " stays open (not completed) in the CRM until a push uploads the rest";
      return finish(job, std::unexpected(std::move(e)));
    }
    retry(job, std::move(e));
  }

  // The open e-mail exists: list the large attachments it already has.
  void resume(const JobPtr& job) {
    HttpRequest req;
    req.url = large_attachments_query(job->activity_id, kBlockUploadOver);
    req.label = "attachment list of " + job->plan.label;
    s_.send(std::move(req), true, [this, job](Result<HttpResponse> r) {
      if (!r) return block_failure(job, r.error());
      auto missing = missing_large(job->plan, *r, "attachment list of " + job->plan.label);
      if (!missing) return block_failure(job, missing.error());
      const std::size_t there = job->plan.large.size() - missing->size();
      if (!job->resumed)  // once: a retry within this run resumes again
        job->notes.push_back("resumed the open e-mail " + job->activity_id + ": " + std::to_string(there) +
                             " of " + std::to_string(job->plan.large.size()) +
                             " large attachment(s) were already in the CRM");
      job->resumed = true;
      job->todo = std::move(*missing);
      next_large(job);
    });
  }

  // Start the first attachment of job->todo, or complete the e-mail.
  void next_large(const JobPtr& job) {
    if (job->todo.empty()) return complete(job);
    const LargeAttachment& a = job->plan.large[job->todo.front()];
    auto data = large_attachment_data(*job->m, a, s_.options().limits);
    if (!data) return block_failure(job, data.error());
    job->up = BlockUpload{std::move(*data), block_target(a, job->activity_id, s_.options().bind_email), "",
                          block_count(a.size), 0};
    const std::string label = "InitializeAttachmentBlocksUpload of " + a.filename + " of " + job->plan.label;
    HttpRequest req;
    req.method = "POST";
    req.url = "InitializeAttachmentBlocksUpload";
    req.label = label;
    req.body = init_blocks_body(job->up.target);
    // Idempotent: a repeated start only leaves an unused upload behind.
    s_.send(std::move(req), true, [this, job, label](Result<HttpResponse> r) {
      if (!r) return block_failure(job, r.error());
      auto token = parse_continuation_token(*r, label);
      if (!token) return block_failure(job, token.error());
      job->up.token = std::move(*token);
      upload_block(job);
    });
  }

  // Send block up.next, then the next one, then commit.
  void upload_block(const JobPtr& job) {
    if (job->up.next == job->up.blocks) return commit(job);
    const LargeAttachment& a = job->plan.large[job->todo.front()];
    HttpRequest req;
    req.method = "POST";
    req.url = "UploadBlock";
    req.label = "UploadBlock " + std::to_string(job->up.next + 1) + "/" + std::to_string(job->up.blocks) +
                " of " + a.filename + " of " + job->plan.label;
    req.body = upload_block_body(job->up.token, job->up.next, job->up.data);
    // Idempotent: the same block id again replaces the block.
    s_.send(std::move(req), true, [this, job](Result<HttpResponse> r) {
      if (!r) return block_failure(job, r.error());
      ++job->up.next;
      upload_block(job);
    });
  }

  void commit(const JobPtr& job) {
    const LargeAttachment& a = job->plan.large[job->todo.front()];
    HttpRequest req;
    req.method = "POST";
    req.url = "CommitAttachmentBlocksUpload";
    req.label = "CommitAttachmentBlocksUpload of " + a.filename + " of " + job->plan.label;
    req.body = commit_blocks_body(job->up.token, job->up.blocks, job->up.target);
    req.fresh_connection = true;  // a second commit would attach the file twice
    job->up.data = {};  // every block is sent: the bytes are not needed any more
    crash_point("push_block_before");
    // Not idempotent (it creates the attachment): a lost answer goes back to check.
    s_.send(std::move(req), false, [this, job](Result<HttpResponse> r) {
      crash_point("push_block_after");
      if (!r) return block_failure(job, r.error());
      const LargeAttachment& done = job->plan.large[job->todo.front()];
      job->notes.push_back(done.filename + " (" + std::to_string(done.size) + " bytes) sent by block upload in " +
                           std::to_string(job->up.blocks) + " block(s)");
      job->up = {};
      job->todo.erase(job->todo.begin());
      next_large(job);
    });
  }

  // Every large attachment is there: Completed / Received.
  void complete(const JobPtr& job) {
    HttpRequest req;
    req.method = "PATCH";
    req.url = "emails(" + job->activity_id + ")";
    req.label = "completing " + job->plan.label;
    req.body = completed_state_body();
    s_.send(std::move(req), true, [this, job](Result<HttpResponse> r) {
      if (!r) return block_failure(job, r.error());
      PushResult pr;
      pr.activity_id = job->activity_id;
      land(job, std::move(pr), job->resumed);
    });
  }

  void check_incoming(const JobPtr& job) {
    HttpRequest req;
    req.url = check_incoming_url(job->plan);
    req.label = "CheckIncomingEmail of " + job->plan.label;
    s_.send(std::move(req), true, [this, job](Result<HttpResponse> r) {
      if (!r) return finish(job, std::unexpected(as_later(r.error())));
      auto j = parse_json(r->body, "CheckIncomingEmail of " + job->plan.label);
      if (!j) return finish(job, std::unexpected(j.error()));
      bool deliver = j->is_object() && j->value("ShouldDeliver", false);
      int code = j->is_object() && (*j).contains("ReasonCode") && (*j)["ReasonCode"].is_number_integer()
                     ? (*j)["ReasonCode"].get<int>() : -1;
      std::string reason = incoming_reason_name(code);
      if (!deliver)
        return finish(job, fail(Code::CrmDeclined, job->plan.label + ": the CRM declined delivery: " + reason,
                                "server mode: the CRM's own rules decided; `quarantine retry` sends it again"));
      deliver_incoming(job, reason);
    });
  }

  void deliver_incoming(const JobPtr& job, const std::string& reason) {
    HttpRequest req;
    req.method = "POST";
    req.url = "emails/Microsoft.Dynamics.CRM.DeliverIncomingEmail";
    req.label = "DeliverIncomingEmail of " + job->plan.label;
    req.body = deliver_incoming_body(job->plan).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    req.fresh_connection = true;  // a second delivery would create a second e-mail
    s_.send(std::move(req), false, [this, job, reason](Result<HttpResponse> r) {
      if (!r) return on_failure(job, r.error());
      std::string id = id_from_entity_url(r->header("odata-entityid"));
      if (id.empty() && !r->body.empty()) {
        auto j = parse_json(r->body, "DeliverIncomingEmail of " + job->plan.label);
        if (!j) return finish(job, std::unexpected(j.error()));
        for (const char* key : {"activityid", "EmailId", "emailid"})
          if (j->is_object() && j->contains(key) && (*j)[key].is_string()) id = (*j)[key].get<std::string>();
      }
      if (id.empty())
        return finish(job, fail(Code::CrmBadResponse, "DeliverIncomingEmail of " + job->plan.label +
                                ": no id of the created e-mail in the answer"));
      PushResult pr;
      pr.activity_id = id;
      pr.reason = reason;
      land(job, std::move(pr), true);
    });
  }

  Session& s_;
  const std::vector<OutboxMessage>& msgs_;
  const PushDone& done_;
  std::size_t next_ = 0;
  std::size_t active_ = 0;
  std::size_t refill_ = 2;
  std::optional<Error> fatal_;
  std::map<const Job*, std::optional<Error>> errors_;
  std::map<std::string, Sender> senders_;  // unknown senders by entity:address
  DuplicateLookahead ahead_;  // the duplicate checks of many messages at once
};

}  // namespace

Status DataverseSink::push_all(const std::vector<OutboxMessage>& messages, const PushDone& done) {
  PushRun run(s_, messages, done);
  return run.run();
}

std::unique_ptr<DataverseSink> make_dataverse_sink(DataverseOptions o) {
  return std::make_unique<DataverseSink>(std::move(o));
}

}  // namespace dataverse
}  // namespace crmr
