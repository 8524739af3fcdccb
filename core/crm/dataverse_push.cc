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
#include <algorithm>
#include <random>

#include "core/base/crash_point.h"
#include "core/crm/dataverse_landing.h"
#include "core/crm/dataverse_push_run.h"
#include "core/crm/dataverse_queue.h"
#include "core/crm/dataverse_request.h"
#include "core/crm/dataverse_sink.h"

namespace crmr::dataverse {
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

}  // namespace

Status PushRun::run() {
  s_.resume();
  refill_ = std::max<std::size_t>(2, s_.options().concurrency * 2);
  fill();
  auto st = s_.run();
  if (!st) return st;
  if (fatal_) return std::unexpected(*fatal_);
  return {};
}

void PushRun::fill() {
  while (!fatal_ && !s_.stopped() && next_ < msgs_.size() && active_ < refill_) {
    auto a = ahead_.answer(next_);
    if (!a) break;
    start(msgs_[next_++], *a);
  }
  if (!fatal_ && !s_.stopped()) ahead_.advance(next_, refill_);
}

void PushRun::start(const PushMessage& m, const DuplicateLookahead::Answer& a) {
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

void PushRun::finish(const JobPtr& job, Result<PushResult> r) {
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

void PushRun::check(const JobPtr& job, Clock::time_point when) {
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

void PushRun::checked(const JobPtr& job, const std::optional<FoundEmail>& found) {
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

void PushRun::retry(const JobPtr& job, Error e) {
  if (++job->attempts >= s_.options().max_attempts)
    return finish(job, std::unexpected(as_later(std::move(e))));
  check(job, Clock::now() + s_.backoff(job->attempts));
}

void PushRun::recheck_then_fail(const JobPtr& job, Error e) {
  if (job->rechecked) return finish(job, std::unexpected(std::move(e)));
  job->rechecked = true;
  last_error_of(job) = std::move(e);
  check(job, {});
}

void PushRun::on_failure(const JobPtr& job, const Error& e) {
  if (e.scope == Scope::Run) return finish(job, std::unexpected(e));
  if (e.retry == Retry::Never) return recheck_then_fail(job, e);
  retry(job, e);
}

void PushRun::deliver(const JobPtr& job) {
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
      return finish(job, fail(Code::CrmBadResponse, what + ": an empty $batch answer",
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
      return finish(job, fail(Code::CrmBadResponse, what + ": no OData-EntityId for the new e-mail",
                              Scope::Message, Retry::Later));
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

void PushRun::land(const JobPtr& job, PushResult pr, bool lookup) {
  pr.queues = job->placed;
  land_email(s_, job->plan, std::move(pr), lookup, [this, job](Result<PushResult> r) {
    if (r || r.error().scope == Scope::Run || r.error().retry == Retry::Never) return finish(job, std::move(r));
    retry(job, r.error());  // back to check, which finds the e-mail and looks up what is there
  });
}

Status DataverseSink::push_all(const std::vector<PushMessage>& messages, const PushDone& done) {
  PushRun run(s_, messages, done);
  return run.run();
}

Result<PushPreview> DataverseSink::preview(const PushMessage& m) const {
  const DataverseOptions& o = s_.options();
  auto plan = plan_email(m, o.limits, o.server_mode ? kAllInline : kBlockUploadOver);
  if (!plan) return std::unexpected(plan.error());
  PushPreview p;
  p.attachments = plan->attachments.size() + plan->large.size();
  for (const LargeAttachment& a : plan->large) p.large.push_back(PushPreview::Large{a.filename, a.size});
  if (o.queue_items)
    for (const CrmRef& q : plan->queues) p.queues.push_back(q.name.empty() ? q.id : q.name);
  p.notes = std::move(plan->notes);
  return p;
}

}  // namespace crmr::dataverse
