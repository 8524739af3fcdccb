// Push: each queued message is a small state machine driven by the answers of
// the Session (all on the thread that called push_all):
//   check    GET emails?$filter=messageid eq '...'  -> exists: done (existed)
//   deliver  POST $batch (one change set)            -> created: done
//            or CheckIncomingEmail + DeliverIncomingEmail (server mode)
// A transient failure of deliver starts again at check after a backoff (the
// change set may have been committed although its answer was lost), up to
// max_attempts; a permanent one is checked once more (a concurrent writer may
// have created it) and then reported as permanent.
#include <map>
#include <random>

#include "core/crash_point.h"
#include "core/net/dataverse_email.h"
#include "core/net/dataverse_request.h"
#include "core/net/dataverse_sink.h"

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
  if (!out) return fail("crm.stopped", "outbox item " + std::to_string(m.id) + " was not pushed",
                        Scope::Run, Retry::Later);
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

Result<std::optional<std::string>> parse_found_id(const HttpResponse& resp, const std::string& what) {
  auto j = parse_json(resp.body, what);
  if (!j) return std::unexpected(j.error());
  if (!j->is_object() || !j->contains("value") || !(*j)["value"].is_array())
    return fail("crm.bad_response", what + ": the CRM's answer has no \"value\" list", Scope::Message,
                Retry::Later);
  const auto& v = (*j)["value"];
  if (v.empty()) return std::optional<std::string>{};
  if (!v[0].is_object() || !v[0].contains("activityid") || !v[0]["activityid"].is_string())
    return fail("crm.bad_response", what + ": a found e-mail without activityid", Scope::Message,
                Retry::Later);
  return std::optional<std::string>{v[0]["activityid"].get<std::string>()};
}

namespace {

class PushRun {
 public:
  PushRun(Session& s, const std::vector<OutboxMessage>& msgs, const PushDone& done)
      : s_(s), msgs_(msgs), done_(done) {}

  Status run() {
    s_.resume();
    refill_ = std::max<std::size_t>(2, s_.options().concurrency * 2);
    while (!fatal_ && next_ < msgs_.size() && active_ < refill_) start(msgs_[next_++]);
    auto st = s_.run();
    if (!st) return st;
    if (fatal_) return std::unexpected(*fatal_);
    return {};
  }

 private:
  struct Job {
    const OutboxMessage* m = nullptr;
    EmailPlan plan;
    int attempts = 0;
    bool rechecked = false;
  };
  using JobPtr = std::shared_ptr<Job>;

  void start(const OutboxMessage& m) {
    ++active_;
    auto job = std::make_shared<Job>();
    job->m = &m;
    auto plan = plan_email(m, s_.options().limits);
    if (!plan) {
      finish(job, std::unexpected(plan.error()));
      return;
    }
    job->plan = std::move(*plan);
    check(job, {});
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
    if (r) r->notes.insert(r->notes.begin(), job->plan.notes.begin(), job->plan.notes.end());
    done_(*job->m, std::move(r));
    while (!fatal_ && !s_.stopped() && next_ < msgs_.size() && active_ < refill_)
      start(msgs_[next_++]);
  }

  void check(const JobPtr& job, Clock::time_point when) {
    HttpRequest req;
    req.url = message_id_query(job->plan.message_id);
    req.label = "duplicate check of " + job->plan.label;
    s_.send(std::move(req), true, [this, job](Result<HttpResponse> r) {
      if (!r) return finish(job, std::unexpected(as_later(r.error())));
      auto found = parse_found_id(*r, "duplicate check of " + job->plan.label);
      if (!found) return finish(job, std::unexpected(found.error()));
      if (*found) {
        PushResult pr;
        pr.activity_id = **found;
        pr.existed = true;
        return finish(job, std::move(pr));
      }
      if (job->rechecked) return finish(job, std::unexpected(*last_error_of(job)));
      if (s_.options().server_mode) check_incoming(job);
      else deliver(job);
    }, when);
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
    const std::string id = batch_id();
    HttpRequest req;
    req.method = "POST";
    req.url = "$batch";
    req.label = "$batch create of " + job->plan.label;
    req.headers = {{"Content-Type", batch_content_type(id)}};
    req.body = batch_body(change_set(job->plan, co), id);
    crash_point("push_before");
    s_.send(std::move(req), false, [this, job](Result<HttpResponse> r) {
      crash_point("push_after");
      const std::string what = "$batch create of " + job->plan.label;
      if (!r) return on_failure(job, r.error());
      auto parts = parse_batch_response(r->header("content-type"), r->body, what);
      if (!parts) return finish(job, std::unexpected(parts.error()));
      if (parts->empty())
        return finish(job, fail("crm.bad_response", what + ": an empty $batch answer",
                                Scope::Message, Retry::Later));
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
        return finish(job, fail("crm.bad_response", what + ": no OData-EntityId for the new e-mail",
                                Scope::Message, Retry::Later));
      PushResult pr;
      pr.activity_id = id;
      finish(job, std::move(pr));
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
        return finish(job, fail("crm.declined", job->plan.label + ": the CRM declined delivery: " + reason,
                                Scope::Message, Retry::Never,
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
        return finish(job, fail("crm.bad_response", "DeliverIncomingEmail of " + job->plan.label +
                                ": no id of the created e-mail in the answer", Scope::Message, Retry::Later));
      PushResult pr;
      pr.activity_id = id;
      pr.reason = reason;
      finish(job, std::move(pr));
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
};

}  // namespace

Status DataverseSink::push_all(const std::vector<OutboxMessage>& messages, const PushDone& done) {
  PushRun run(s_, messages, done);
  return run.run();
}

Result<std::optional<std::string>> DataverseSink::find_by_message_id(const std::string& message_id) {
  HttpRequest req;
  req.url = message_id_query(message_id);
  req.label = "duplicate check of " + message_id;
  auto r = s_.send_now(std::move(req));
  if (!r) return std::unexpected(r.error());
  return parse_found_id(*r, "duplicate check of " + message_id);
}

std::unique_ptr<DataverseSink> make_dataverse_sink(DataverseOptions o) {
  return std::make_unique<DataverseSink>(std::move(o));
}

}  // namespace dataverse
}  // namespace crmr
