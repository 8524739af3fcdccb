// `push`: deliver the outbox to the CRM, as a run with a report (outcome
// pushed / quarantined / queued per message, activity id filled). Also the
// CRM client factory and the end-of-batch hook of `run` and `import`.
//
// Store writes are grouped into transactions of a few hundred messages. A
// crash loses at most the "done" marks of one group: those messages are
// found by their messageid on the next push and recorded then, never created
// twice.
#include <CLI/CLI.hpp>

#include <cstdlib>
#include <map>
#include <memory>

#include "cli/commands/command_set.h"
#include "cli/commands/crm_commands.h"
#include "cli/config/client_certificate.h"
#include "cli/config/secret_file.h"
#include "cli/exit_codes.h"
#include "cli/lock.h"
#include "cli/run_summary.h"
#include "core/base/crash_point.h"
#include "core/crm/dataverse_email.h"
#include "core/crm/dataverse_sink.h"
#include "core/report/report.h"

namespace crmr {
namespace {

constexpr std::size_t kPageSize = 500;       // outbox items read at a time
constexpr std::size_t kCommitEvery = 200;    // messages per store transaction

Error secret_error(const std::string& what, const std::string& hint) {
  return Error{Code::CrmSecret, what, hint, Scope::Run, Retry::Never};
}

Result<std::string> read_secret_env(const std::string& var, const char* key) {
  const char* v = std::getenv(var.c_str());
  if (!v || !*v)
    return std::unexpected(secret_error(
        "the environment variable " + var + " (named by [crm] " + key + ") is not set or empty",
        "export it before running crm-router"));
  return std::string(v);
}

Result<std::string> read_client_secret_file(const std::string& path,
                                            std::vector<std::string>& warnings) {
  auto s = read_secret_file(path, "[crm] client_secret_file", warnings);
  if (!s && s.error() == SecretFileProblem::Unreadable)
    return std::unexpected(secret_error("cannot read the client secret file " + path +
                                            " ([crm] client_secret_file)",
                                        "check the path and that crm-router may read it"));
  if (!s) return std::unexpected(secret_error("the client secret file " + path + " is empty", ""));
  return *s;
}

// The report entry of an outbox item: its decision, or a bare entry if that
// cannot be read (the push then quarantines it and says why).
ReportEntry entry_of(const OutboxMessage& m) {
  if (auto e = entry_from_json(m.decision_json)) return std::move(*e);
  ReportEntry e;
  e.key = m.key;
  e.source = "outbox";
  e.position = std::to_string(m.id);
  return e;
}

// Transient failures in a row after which the CRM counts as unreachable.
std::size_t unreachable_after(const CrmConfig& c) {
  return std::max<std::size_t>(16, 2 * static_cast<std::size_t>(c.concurrency));
}

int list_pending(Context& ctx, Store& store, std::optional<std::uint64_t> limit) {
  std::int64_t after = 0;
  std::uint64_t n = 0;
  for (;;) {
    auto items = store.outbox_pending_after(after, kPageSize);
    if (!items) return ctx.fail_with(items.error());
    if (items->empty()) break;
    after = items->back().id;
    for (const auto& it : *items) {
      if (limit && n >= *limit) break;
      ++n;
      OutboxMessage m{it.id, it.key, it.raw, it.decision_json};
      ReportEntry e = entry_of(m);
      std::string line = "would push outbox item " + std::to_string(it.id) + ": <" + e.message_id +
                         "> \"" + e.subject + "\"";
      if (e.regarding) line += " regarding " + e.regarding->entity + " " + e.regarding->id;
      // Planned as push plans it, so the large attachments show as they would go.
      auto plan = dataverse::plan_email(m, ctx.cfg.limits,
                                        ctx.cfg.crm.mode == "server" ? dataverse::kAllInline
                                                                     : dataverse::kBlockUploadOver);
      if (!plan) {
        line += " -- would be quarantined: " + plan.error().message;
      } else {
        line += ", " + std::to_string(plan->attachments.size() + plan->large.size()) + " attachment(s)";
        for (const auto& a : plan->large)
          line += "; " + a.filename + " (" + std::to_string(a.size) + " bytes) by block upload";
        if (ctx.cfg.crm.queue_items)
          for (const auto& q : plan->queues) line += "; into queue " + (q.name.empty() ? q.id : q.name);
        for (const auto& note : plan->notes) line += "; " + note;
      }
      ctx.out.info(line);
    }
    if (limit && n >= *limit) break;
  }
  ctx.out.info(std::to_string(n) + " message(s) would be pushed (dry run: nothing sent)");
  return kExitOk;
}

}  // namespace

Result<std::unique_ptr<CrmSink>> open_crm_sink(const Context& ctx) {
  const CrmConfig& c = ctx.cfg.crm;
  if (!c.configured())
    return fail(Code::CrmConfig, "no [crm] section in the configuration", "see crm-router.conf(5), section [crm]");
  dataverse::DataverseOptions o;
  o.api_url = c.url;
  o.token_url = c.token_url;
  o.client_id = c.client_id;
  o.scope = c.scope;
  if (c.auth == "bearer") {
    o.auth = dataverse::DataverseOptions::Auth::Bearer;
    auto t = read_secret_env(c.token_env, "token_env");
    if (!t) return std::unexpected(t.error());
    o.bearer_token = std::move(*t);
  } else {
    std::vector<std::string> warnings;
    if (!c.certificate.empty()) {
      auto signer = load_client_certificate(c.certificate, c.certificate_key, "[crm] ", warnings);
      for (const auto& w : warnings) ctx.out.warn(w);
      if (!signer) {
        Error e = signer.error();
        e.code = Code::CrmSecret;
        return std::unexpected(std::move(e));
      }
      o.certificate = std::move(*signer);
    } else {
      auto s = !c.client_secret_env.empty()
                   ? read_secret_env(c.client_secret_env, "client_secret_env")
                   : read_client_secret_file(c.client_secret_file, warnings);
      for (const auto& w : warnings) ctx.out.warn(w);
      if (!s) return std::unexpected(s.error());
      o.client_secret = std::move(*s);
    }
  }
  o.concurrency = c.concurrency;
  o.timeout = std::chrono::seconds(c.timeout_s);
  o.max_attempts = static_cast<int>(c.max_attempts);
  o.ca_file = c.tls_ca_file;
  o.verify_tls = c.tls_verify;
  if (!c.tls_verify) ctx.out.warn("[crm] TLS certificate verification is off (tls_verify = false)");
  o.server_mode = c.mode == "server";
  o.queue_items = c.queue_items;
  o.queue_items_in_batch = c.queue_items_in_batch;
  o.apply_record_rules = c.apply_record_rules;
  o.duplicate_lookup = c.duplicate_lookup == "or"       ? dataverse::LookupSyntax::Or
                       : c.duplicate_lookup == "single" ? dataverse::LookupSyntax::Single
                                                        : dataverse::LookupSyntax::In;
  o.limits = ctx.cfg.limits;
  return std::unique_ptr<CrmSink>(dataverse::make_dataverse_sink(std::move(o)));
}

namespace {

// Deliver up to `total` messages of the outbox through `crm` into `rec`'s
// run: each message's outcome is recorded as
// a report entry of that run. A message `rec`'s own batch queued has its
// entry replaced (same seq); any other (queued by an earlier run) gets a new
// entry after the run's last one, saying so when `after_batch`. Returns the
// push's exit code (kExitOk; kExitPartial when some stay queued; config or
// unreachable on a fatal error, already printed), or the storage error that
// must stop the run.
Result<int> push_into(Context& ctx, Store& store, CrmSink& crm, std::uint64_t total,
                      RunRecorder& rec, bool after_batch) {
  rec.start_phase();
  auto record = rec.sink();
  const CrmRequestCounts sent_before = crm.request_counts();
  auto last_seq = store.last_run_seq(rec.run_id());
  if (!last_seq) return std::unexpected(last_seq.error());

  std::optional<Error> fatal;
  std::optional<Error> storage;
  bool left_queued = false;
  std::uint64_t finished = 0;
  std::size_t in_tx = 0;
  std::size_t transient_in_a_row = 0;
  std::int64_t seq = *last_seq;
  std::int64_t after = 0;
  const std::size_t give_up = unreachable_after(ctx.cfg.crm);
  // The run and report entry that queued each item of the current page.
  std::map<std::int64_t, std::pair<std::int64_t, std::int64_t>> queued_by;

  auto done = [&](const OutboxMessage& m, Result<PushResult> r) {
    ReportEntry e = entry_of(m);
    Status st;
    if (r) {
      transient_in_a_row = 0;
      st = store.outbox_done(m.id, r->activity_id);
      if (st) crash_point("outbox_done");
      // A sender record push created: later messages from it resolve to it.
      if (st && r->created)
        st = store.upsert_record(CachedRecord{r->created->entity, r->created->id, r->created->name, true, -1,
                                              r->created->addresses});
      e.outcome = "pushed";
      e.activity_id = r->activity_id;
      e.queues = r->queues;
      e.error.clear();
      if (!r->reason.empty()) e.reason = r->reason;
      for (auto& n : r->notes) e.warnings.push_back(n);
      if (r->existed) e.warnings.push_back("already in the CRM (same messageid): not created again");
    } else {
      const Error& err = r.error();
      bool permanent = err.retry == Retry::Never;
      st = store.outbox_failed(m.id, err.describe(), permanent);
      e.outcome = permanent ? "quarantined" : "queued";
      e.error = err.describe();
      if (!permanent) {
        left_queued = true;
        if (++transient_in_a_row >= give_up && !fatal) {
          fatal = Error{Code::CrmUnreachable,
                        std::to_string(transient_in_a_row) +
                            " messages in a row could not be delivered; last: " + err.message,
                        "the CRM seems unreachable; the rest stays queued for the next push",
                        Scope::Run, Retry::Later};
          crm.cancel();
        }
      } else {
        transient_in_a_row = 0;
      }
    }
    const auto origin = queued_by[m.id];
    const bool own = origin.first == rec.run_id() && origin.second > 0;
    if (!own && after_batch && origin.first > 0)
      e.warnings.push_back("queued by run " + std::to_string(origin.first) +
                           "; delivered at the end of this one");
    if (st) st = store.add_run_entry(rec.run_id(), own ? origin.second : ++seq, entry_to_json(e));
    if (st && ++in_tx >= kCommitEvery) {
      st = store.commit();
      if (st) st = store.begin();
      in_tx = 0;
    }
    if (!st && !storage) {
      storage = st.error();
      crm.cancel();
    }
    ++finished;
    if (own) rec.replace("queued", std::move(e));
    else record(std::move(e));
    rec.progress(finished, total);
  };

  std::uint64_t taken = 0;
  while (!fatal && !storage && taken < total) {
    auto items = store.outbox_pending_after(after, std::min<std::uint64_t>(kPageSize, total - taken));
    if (!items) {
      storage = items.error();
      break;
    }
    if (items->empty()) break;
    after = items->back().id;
    taken += items->size();
    std::vector<OutboxMessage> msgs;
    msgs.reserve(items->size());
    queued_by.clear();
    for (auto& it : *items) {
      queued_by[it.id] = {it.run_id, it.run_seq};
      msgs.push_back(OutboxMessage{it.id, std::move(it.key), std::move(it.raw), std::move(it.decision_json)});
    }
    items->clear();
    if (auto s = store.begin(); !s) {
      storage = s.error();
      break;
    }
    in_tx = 0;
    auto st = crm.push_all(msgs, done);
    if (storage) {
      store.rollback();
    } else if (auto c = store.commit(); !c) {
      storage = c.error();
    }
    if (!st && !fatal) fatal = st.error();
  }
  ctx.out.progress_done();
  const CrmRequestCounts sent = crm.request_counts();
  rec.add_crm_usage(CrmUsage{finished, sent.http - sent_before.http, sent.counted - sent_before.counted,
                             sent.throttled - sent_before.throttled});

  if (storage) return std::unexpected(*storage);
  if (fatal) {
    ctx.out.error(fatal->describe());
    // The push stopped: the run (the push's own, or the batch's it ends)
    // is failed, with why.
    rec.set_failure(fatal->describe());
    // A push stops for its configuration (3) or, whatever else stopped it, an
    // unreachable CRM (4).
    return exit_code_for(*fatal) == kExitConfig ? kExitConfig : kExitUnreachable;
  }
  return left_queued ? kExitPartial : kExitOk;
}

// What is queued (at most `limit`) and the CRM client to deliver it: no
// client when nothing is queued; `cannot_start` when the client cannot be had
// (no [crm] secret): the caller records that in its run (failed, with why).
// Fails only when the store does.
struct PushPlan {
  std::uint64_t total = 0;
  std::unique_ptr<CrmSink> sink;
  std::optional<Error> cannot_start;
};
Result<PushPlan> plan_push(Context& ctx, Store& store, std::optional<std::uint64_t> limit) {
  auto pending = store.outbox_pending_count();
  if (!pending) return std::unexpected(pending.error());
  PushPlan plan;
  plan.total = static_cast<std::uint64_t>(*pending);
  if (limit && *limit < plan.total) plan.total = *limit;
  if (plan.total == 0) {
    ctx.out.detail("push: nothing queued");
    return plan;
  }
  auto sink = open_crm_sink(ctx);
  if (sink) plan.sink = std::move(*sink);
  else plan.cannot_start = sink.error();
  return plan;
}

// The push cannot start: said on stderr and recorded as `rec`'s failure.
int cannot_start(Context& ctx, RunRecorder& rec, const Error& e) {
  ctx.out.error(e.describe());
  rec.set_failure(e.describe());
  return kExitConfig;
}

}  // namespace

int push_outbox(Context& ctx, Store& store, std::optional<std::uint64_t> limit) {
  auto plan = plan_push(ctx, store, limit);
  if (!plan) return ctx.fail_with(plan.error());
  if (plan->total == 0) return kExitOk;
  RunRecorder rec(ctx, store, "push");
  if (auto s = rec.begin(); !s) return ctx.fail_with(s.error());
  // A push that cannot even start (no secret) is still a run in the
  // history, failed, with why.
  if (plan->cannot_start) {
    int rc = cannot_start(ctx, rec, *plan->cannot_start);
    rec.abort();
    return rc;
  }
  auto pushed = push_into(ctx, store, *plan->sink, plan->total, rec, /*after_batch=*/false);
  if (!pushed) {
    rec.set_failure(pushed.error().describe());
    rec.abort();
    return ctx.fail_with(pushed.error());
  }
  int rc = rec.finish(false);
  return worse_exit_code(rc, *pushed);
}

bool push_follows(const Context& ctx, bool no_push) {
  return !no_push && !ctx.dry_run && ctx.cfg.crm.configured();
}

Result<int> push_after_batch(Context& ctx, Store& store, bool no_push, RunRecorder& rec) {
  if (!push_follows(ctx, no_push)) return kExitOk;
  auto plan = plan_push(ctx, store, std::nullopt);
  if (!plan) return std::unexpected(plan.error());
  if (plan->total == 0) return kExitOk;
  // The batch's run is failed with why; what it queued stays queued.
  if (plan->cannot_start) return cannot_start(ctx, rec, *plan->cannot_start);
  return push_into(ctx, store, *plan->sink, plan->total, rec, /*after_batch=*/true);
}

int finish_batch(Context& ctx, Store& store, bool no_push, RunRecorder& rec, const Pipeline& p) {
  rec.end_input(p);
  auto pushed = push_after_batch(ctx, store, no_push, rec);
  if (!pushed) {
    rec.set_failure(pushed.error().describe());
    rec.abort();
    return ctx.fail_with(pushed.error());
  }
  return worse_exit_code(rec.finish(false), *pushed);
}

int cmd_push(Context& ctx, const PushOptions& o) {
  if (!ctx.cfg.crm.configured()) {
    ctx.out.error("push needs a [crm] section in the configuration (see crm-router.conf(5))");
    return kExitConfig;
  }
  auto lock = lock_database(ctx);
  if (!lock) return lock.error();
  auto store = ctx.open_store();
  if (!store) return ctx.fail_with(store.error());
  if (ctx.dry_run) return list_pending(ctx, **store, o.limit);
  auto pending = (*store)->outbox_pending_count();
  if (!pending) return ctx.fail_with(pending.error());
  if (*pending == 0) {
    ctx.out.info("push: the outbox is empty: nothing to push");
    return kExitOk;
  }
  return push_outbox(ctx, **store, o.limit);
}

// --- its command line ---

void add_push_command(CLI::App& app, CommandSet& set) {
  auto o = std::make_shared<PushOptions>();
  auto* c = set.add(app, "push", "Deliver what is queued in the outbox to the CRM",
                    [o](Context& ctx) { return cmd_push(ctx, *o); });
  c->add_option("--limit", o->limit, "Push at most N messages")->check(CLI::PositiveNumber);
}

}  // namespace crmr
