// `push`: deliver the outbox to the CRM, as a run with a report (outcome
// pushed / quarantined / queued per message, activity id filled). Also the
// end-of-batch hook of `run` and `import`. The
// push itself is run_push (core/engine/push_run.h); this file records its
// run, prints and chooses the exit code.
#include <CLI/CLI.hpp>

#include <memory>

#include "cli/commands/command_set.h"
#include "cli/commands/crm_commands.h"
#include "cli/exit_codes.h"
#include "cli/lock.h"
#include "cli/run_summary.h"
#include "core/engine/push_message_of.h"
#include "core/engine/push_run.h"
#include "core/report/report.h"

namespace crmr {
namespace {

// Transient failures in a row after which the CRM counts as unreachable.
std::size_t unreachable_after(const CrmConfig& c) {
  return std::max<std::size_t>(16, 2 * static_cast<std::size_t>(c.concurrency));
}

int list_pending(Context& ctx, Store& store, const CrmSink& crm, std::optional<std::uint64_t> limit) {
  std::int64_t after = 0;
  std::uint64_t n = 0;
  for (;;) {
    auto items = store.outbox_pending_after(after, kOutboxPage);
    if (!items) return ctx.fail_with(items.error());
    if (items->empty()) break;
    after = items->back().id;
    for (const auto& it : *items) {
      if (limit && n >= *limit) break;
      ++n;
      const OutboxMessage& m = it;
      ReportEntry e = outbox_entry(m);
      std::string line = "would push outbox item " + std::to_string(it.id) + ": <" + e.message_id +
                         "> \"" + e.subject + "\"";
      if (e.regarding) line += " regarding " + e.regarding->entity + " " + e.regarding->id;
      auto plan = crm.preview(push_message_of(m));
      if (!plan) {
        line += " -- would be quarantined: " + plan.error().message;
      } else {
        line += ", " + std::to_string(plan->attachments) + " attachment(s)";
        for (const auto& a : plan->large)
          line += "; " + a.filename + " (" + std::to_string(a.size) + " bytes) by block upload";
        for (const auto& q : plan->queues) line += "; into queue " + q;
        for (const auto& note : plan->notes) line += "; " + note;
      }
      ctx.out.info(line);
    }
    if (limit && n >= *limit) break;
  }
  ctx.out.info(std::to_string(n) + " message(s) would be pushed (dry run: nothing sent)");
  return kExitOk;
}

// After a push that stopped or could not start: how many messages wait for
// the next one (the run's summary counts only what this run finished).
void say_still_queued(Context& ctx, Store& store) {
  auto left = store.outbox_pending_count();
  if (left && *left > 0)
    ctx.out.warn(std::to_string(*left) + " message(s) stay queued for the next push");
}

// The push run's entries and progress, into the run `rec` records.
class RecorderObserver : public PushObserver {
 public:
  explicit RecorderObserver(RunRecorder& rec) : rec_(rec), record_(rec.sink()) {}
  void entry(ReportEntry e, bool replaces_queued) override {
    if (replaces_queued) rec_.replace("queued", std::move(e));
    else record_(std::move(e));
  }
  void progress(std::uint64_t finished, std::uint64_t total) override { rec_.progress(finished, total); }

 private:
  RunRecorder& rec_;
  EntrySink record_;
};

// Deliver up to `total` messages of the outbox through `crm` into `rec`'s
// run (run_push, core/engine/push_run.h): each message's outcome is recorded
// as a report entry of that run. Returns the push's exit code (kExitOk;
// kExitPartial when some stay queued; config or unreachable on a fatal
// error, already printed), or the storage error that must stop the run.
Result<int> push_into(Context& ctx, Store& store, CrmSink& crm, std::uint64_t total,
                      RunRecorder& rec, bool after_batch) {
  rec.start_phase();
  RecorderObserver observer(rec);
  PushRunOptions o;
  o.total = total;
  o.run_id = rec.run_id();
  o.after_batch = after_batch;
  o.give_up_after = unreachable_after(ctx.cfg.crm);
  auto pushed = run_push(store, crm, o, observer);
  if (!pushed) return std::unexpected(pushed.error());
  ctx.out.progress_done();
  rec.add_crm_usage(CrmUsage{pushed->finished, pushed->sent.http, pushed->sent.counted, pushed->sent.throttled});

  if (pushed->storage) return std::unexpected(*pushed->storage);
  if (const auto& fatal = pushed->fatal) {
    ctx.out.error(fatal->describe());
    say_still_queued(ctx, store);
    // The push stopped: the run (the push's own, or the batch's it ends)
    // is failed, with why.
    rec.set_failure(fatal->describe());
    // A push stops for its configuration (3) or, whatever else stopped it, an
    // unreachable CRM (4).
    return exit_code_for(*fatal) == kExitConfig ? kExitConfig : kExitUnreachable;
  }
  return pushed->left_queued ? kExitPartial : kExitOk;
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
int cannot_start(Context& ctx, Store& store, RunRecorder& rec, const Error& e) {
  ctx.out.error(e.describe());
  say_still_queued(ctx, store);
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
    int rc = cannot_start(ctx, store, rec, *plan->cannot_start);
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
  if (plan->cannot_start) return cannot_start(ctx, store, rec, *plan->cannot_start);
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
  if (ctx.dry_run) {
    auto planner = open_crm_sink(ctx, /*with_secret=*/false);
    if (!planner) return ctx.fail_with(planner.error());
    return list_pending(ctx, **store, **planner, o.limit);
  }
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
