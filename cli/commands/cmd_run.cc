// `run`: one batch from every configured mailbox: fetch, route, commit,
// dispose, move the cursors, report. One pipeline and one report for the
// whole run; the pipeline's options are set per mailbox (role, unwrap).
// Every selected mailbox gets a line in the report's mailbox list (ok,
// failed with its error, or skipped when --limit was reached before it); a
// failed one does not stop the others, and makes the exit status 4.
#include <CLI/CLI.hpp>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <memory>

#include "cli/commands/command_set.h"
#include "cli/cache_guard.h"
#include "cli/commands/crm_commands.h"
#include "cli/exit_codes.h"
#include "cli/lock.h"
#include "cli/commands/mailbox_commands.h"
#include "cli/mailbox_signin.h"
#include "cli/platform.h"
#include "cli/run_summary.h"
#include "cli/wiring.h"
#include "core/engine/mailbox_cursor.h"
#include "core/engine/mailbox_fleet.h"
#include "core/engine/mailbox_run.h"
#include "core/engine/mailbox_scheduler.h"
#include "core/engine/pipeline.h"

namespace crmr {
namespace {

std::string where(const Context& ctx, const MailboxConfig& m) {
  return ctx.cfg.path + ":" + std::to_string(m.line) + ": ";
}

// Every first run needs a start (since or all); all such problems at once.
Result<bool> check_first_runs(Context& ctx, const Store& store,
                              const std::vector<const MailboxConfig*>& mailboxes) {
  bool ok = true;
  for (const MailboxConfig* m : mailboxes) {
    if (m->since || m->all) continue;
    for (const auto& folder : m->caps().folders ? m->folders : std::vector<std::string>{"INBOX"}) {
      auto c = load_cursor(store, m->name, folder);
      if (!c) return std::unexpected(c.error());
      if (*c) continue;
      ctx.out.error(where(ctx, *m) + "mailbox " + m->name + ": folder " + folder +
                    " was never read; the first run needs since = YYYY-MM-DD or all = true");
      ok = false;
    }
  }
  return ok;
}

// The pipeline's options for mailbox `m`: its role and the forward-mailbox
// unwrap. No date filter: `since` is applied before download (IMAP: SEARCH
// SINCE; POP3: the Date header read with TOP, see mailbox_listing.h), so
// what is fetched is what is decided.
PipelineOptions options_for(const PipelineOptions& base, const MailboxConfig& m) {
  PipelineOptions po = base;
  po.policy.role = m.role;
  po.forward_mailbox = m.role.kind == MailboxRole::Forward;
  po.since = std::nullopt;
  po.commit_every = std::max<std::size_t>(base.commit_every, m.batch_size + 1);
  return po;
}

// Mailbox `m` as `run --once` reads it: folder `folder` (when given) instead
// of the configured ones, from `since` (else everything), every message left
// where it is (no disposition, no quarantine_folder).
MailboxConfig read_once(const MailboxConfig& m, const std::string& folder) {
  MailboxConfig once = m;
  if (!folder.empty()) once.folders = {folder};
  if (!once.since) once.all = true;
  once.after = Disposition{};
  once.quarantine_folder.clear();
  return once;
}

// The usage errors of --once / --folder, printed; false when there are any.
bool check_once(Context& ctx, const RunOptions& o,
                const std::vector<const MailboxConfig*>& mailboxes) {
  if (o.folder.empty()) return true;
  if (!o.once) {
    ctx.out.error("run --folder " + o.folder +
                  " reads a folder once and keeps no cursor for it: give --once too");
    return false;
  }
  bool ok = true;
  for (const MailboxConfig* m : mailboxes) {
    if (m->caps().folders) continue;
    ctx.out.error("run --folder: mailbox " + m->name +
                  " is POP3, which has one folder (choose IMAP mailboxes with --mailbox)");
    ok = false;
  }
  return ok;
}

// Which kinds of mailbox failure the run had (they decide its exit status).
struct RunFlags {
  bool mailbox_failed = false;
  bool mailbox_config_failed = false;
};

// A mailbox's problem as its report line gives it: one the next run may
// well not have (a timeout, a busy server: Retry::Later) says it is transient.
std::string problem_text(const Error& e) {
  std::string text = e.describe();
  if (e.retry == Retry::Later && text.find("transient") == std::string::npos)
    text += " (transient: the next run tries again)";
  return text;
}

void print_warnings(Context& ctx, const std::vector<std::string>& warnings) {
  for (const auto& w : warnings) ctx.out.warn(w);
}

// Sign in to `m` and read it. `warn_now` (when set) prints the sign-in
// advice at once; else it is kept in the outcome. A mailbox thread of a
// parallel run calls this with mo.writer set; it prints nothing then.
MailboxOutcome read_mailbox(Context& ctx, const MailboxConfig& m, MailboxTokens& tokens,
                            const std::shared_ptr<TlsSessions>& tls, Store& store,
                            Pipeline& pipeline, const MailboxRunOptions& mo,
                            const std::function<void(const std::vector<std::string>&)>& warn_now) {
  MailboxOutcome out;
  auto session = sign_in(m, tokens, out.warnings, [&](MailboxEndpoint& ep) {
    ctx.trace_mailbox(m.name, ep);
    ep.tls_sessions = tls;
    if (!m.folders.empty()) ep.first_folder = m.folders.front();
  });
  if (warn_now) {
    warn_now(out.warnings);
    out.warnings.clear();
  }
  if (!session) {
    out.sign_in_failed = session.error();
    return out;
  }
  spdlog::info("mailbox {}: connected", m.name);
  auto result = run_mailbox(**session, m, store, pipeline, mo);
  if (!result) out.fatal = result.error();
  else out.result = std::move(*result);
  return out;
}

// The outcome of mailbox `m` told: its line in the report, its problems and
// notes printed, the run's flags set. On the writer's (main) thread.
void tell_outcome(Context& ctx, const MailboxConfig& m, const MailboxOutcome& out,
                  RunRecorder& rec, RunFlags& flags) {
  if (!out.started && !out.sign_in_failed && !out.result) {
    MailboxStatus skipped;  // a parallel run stopped before it (not reached here: it aborts)
    skipped.name = m.name;
    skipped.status = "skipped";
    rec.add_mailbox(std::move(skipped));
    return;
  }
  if (out.sign_in_failed) {
    const Error& e = *out.sign_in_failed;
    // One line naming the mailbox; the error never carries the secret.
    std::string line = "mailbox " + m.name + " skipped: " + problem_text(e);
    if (e.message.starts_with("mailbox " + m.name)) line = problem_text(e) + " (skipped)";
    ctx.out.error(line);  // and the log
    MailboxStatus failed;
    failed.name = m.name;
    failed.status = "failed";
    failed.error = problem_text(e);
    rec.add_mailbox(std::move(failed));
    // A secret that cannot be read is the configuration's fault (3), not
    // the server's (4); the other mailboxes run either way.
    (exit_code_for(e) == kExitConfig ? flags.mailbox_config_failed : flags.mailbox_failed) = true;
    return;
  }
  const MailboxRunResult& result = *out.result;
  for (const auto& n : result.notes) ctx.out.warn(n);
  MailboxStatus status;
  status.name = m.name;
  status.status = result.problems.empty() ? "ok" : "failed";
  status.messages = result.fetched;
  status.bytes = result.bytes;
  status.skipped_by_date = result.skipped_by_date;
  status.warnings = result.notes;
  status.limit_reached = result.limit_reached;
  for (const auto& p : result.problems) {
    ctx.out.error(problem_text(p));
    status.error += (status.error.empty() ? "" : "; ") + problem_text(p);
    flags.mailbox_failed = true;
  }
  rec.add_mailbox(std::move(status));
  spdlog::info("mailbox {}: {} messages, {} bytes{}", m.name, result.fetched, result.bytes,
               result.limit_reached ? " (limit reached; the rest waits for the next run)" : "");
  if (result.limit_reached)
    ctx.out.detail("mailbox " + m.name + ": limit reached; the rest waits for the next run");
}

void warn_readable_config(Context& ctx) {
  if (!ctx.cfg.path.empty() && platform::readable_by_others(ctx.cfg.path)) {
    std::string w = "the configuration file " + ctx.cfg.path +
                    " is readable by group or others (chmod 600 it)";
    ctx.out.warn(w);
  }
}

}  // namespace

std::optional<std::vector<const MailboxConfig*>> select_mailboxes(
    Context& ctx, const std::vector<std::string>& names) {
  std::vector<const MailboxConfig*> out;
  if (names.empty()) {
    for (const auto& m : ctx.cfg.mailboxes) out.push_back(&m);
    return out;
  }
  bool ok = true;
  for (const auto& n : names) {
    auto it = std::find_if(ctx.cfg.mailboxes.begin(), ctx.cfg.mailboxes.end(),
                           [&](const MailboxConfig& m) { return m.name == n; });
    if (it == ctx.cfg.mailboxes.end()) {
      ctx.out.error("no mailbox named '" + n + "' in " +
                    (ctx.cfg.path.empty() ? std::string("the configuration") : ctx.cfg.path));
      ok = false;
    } else if (std::find(out.begin(), out.end(), &*it) == out.end()) {
      out.push_back(&*it);
    }
  }
  if (!ok) return std::nullopt;
  return out;
}

int cmd_run(Context& ctx, const RunOptions& o) {
  if (ctx.cfg.mailboxes.empty()) {
    ctx.out.error("no [[mailbox]] is configured" +
                  (ctx.cfg.path.empty() ? std::string(" (no configuration file; use --config)")
                                        : " in " + ctx.cfg.path) +
                  "; see crm-router.conf(5)");
    return kExitConfig;
  }
  auto selected = select_mailboxes(ctx, o.mailboxes);
  if (!selected) return kExitUsage;
  if (!check_once(ctx, o, *selected)) return kExitUsage;
  std::vector<MailboxConfig> once;  // --once: the selected mailboxes as read once
  if (o.once) {
    once.reserve(selected->size());
    for (const MailboxConfig*& m : *selected) m = &once.emplace_back(read_once(*m, o.folder));
  }
  warn_readable_config(ctx);

  auto lock = lock_database(ctx);
  if (!lock) return lock.error();
  auto store = ctx.open_store();
  if (!store) return ctx.fail_with(store.error());
  auto first = o.once ? Result<bool>(true) : check_first_runs(ctx, **store, *selected);
  if (!first) return ctx.fail_with(first.error());
  if (!*first) return kExitConfig;
  auto guard = guard_routing(ctx, **store, "run");
  if (!guard) return guard.error();

  RunRecorder rec(ctx, **store, "run");
  if (!guard->empty()) rec.add_warning(*guard);
  if (auto s = rec.begin(); !s) return ctx.fail_with(s.error());
  PipelineOptions base;
  base.dry_run = ctx.dry_run;
  base.limits = ctx.cfg.limits;
  base.policy = ctx.cfg.policy;
  base.jobs = jobs_or_cores(o.jobs, ctx.cfg.jobs);
  auto owned = make_pipeline(**store, ctx.db_path, base, rec.run_id(), rec.sink());
  Pipeline& pipeline = *owned;

  MailboxRunOptions mo;
  mo.dry_run = ctx.dry_run;
  mo.once = o.once;
  mo.run_limit = o.limit;
  mo.on_message = [&] { rec.progress(pipeline); };
  mo.on_listed = [&](std::uint64_t n) { rec.add_expected_messages(n); };
  RunFlags flags;
  MailboxTokens tokens;  // mailboxes of one app registration share a token
  auto tls = make_tls_sessions();  // a server's TLS session resumed by its next mailbox
  // --limit counts the whole run's messages in order: one mailbox at a time.
  // Otherwise even a single mailbox is read on a thread of its own, the
  // calling thread deciding and committing meanwhile.
  const std::size_t parallel = o.limit ? 1 : ctx.cfg.parallel_mailboxes;
  if (parallel <= 1) {
    for (const MailboxConfig* m : *selected) {
      if (o.limit && pipeline.processed() >= *o.limit) {
        MailboxStatus skipped;
        skipped.name = m->name;
        skipped.status = "skipped";
        rec.add_mailbox(std::move(skipped));
        continue;
      }
      pipeline.set_options(options_for(base, *m));
      MailboxOutcome out = read_mailbox(ctx, *m, tokens, tls, **store, pipeline, mo,
                                        [&](const std::vector<std::string>& w) { print_warnings(ctx, w); });
      if (out.fatal) {
        rec.set_failure(out.fatal->describe());
        rec.abort();
        return ctx.fail_with(*out.fatal);
      }
      tell_outcome(ctx, *m, out, rec, flags);
    }
  } else {
    std::vector<std::string> hosts;
    std::vector<PipelineOptions> opts;
    for (const MailboxConfig* m : *selected) {
      hosts.push_back(url_host(m->url));
      opts.push_back(options_for(base, *m));
    }
    std::optional<std::size_t> options_of;  // whose options the pipeline has (writer only)
    auto fleet = read_mailboxes_at_once(
        hosts, parallel, ctx.cfg.max_connections_per_server,
        [&](std::size_t i, WriterChannel& writer) {
          MailboxRunOptions mine = mo;
          mine.writer = &writer;
          mine.before_submit = [&, i] {
            if (options_of == i) return;
            pipeline.set_options(opts[i]);
            options_of = i;
          };
          return read_mailbox(ctx, *(*selected)[i], tokens, tls, **store, pipeline, mine, {});
        });
    if (fleet.fatal) {
      rec.set_failure(fleet.fatal->describe());
      rec.abort();
      return ctx.fail_with(*fleet.fatal);
    }
    // In configuration order, whichever finished first.
    for (std::size_t i = 0; i < selected->size(); ++i) {
      print_warnings(ctx, fleet.outcomes[i].warnings);
      tell_outcome(ctx, *(*selected)[i], fleet.outcomes[i], rec, flags);
    }
  }
  // Deliver what is queued now (when [crm] is configured), in this run: the
  // messages are already committed and disposed of, so a CRM outage only
  // delays them.
  int rc = finish_batch(ctx, **store, o.no_push, rec, pipeline);
  if (flags.mailbox_failed) rc = worse_exit_code(rc, kExitUnreachable);
  if (flags.mailbox_config_failed) rc = worse_exit_code(rc, kExitConfig);
  return rc;
}

// --- its command line ---

void add_run_command(CLI::App& app, CommandSet& set) {
  auto o = std::make_shared<RunOptions>();
  auto* c = set.add(app, "run", "One batch from every configured mailbox: fetch, route, dispose, report",
                    [o](Context& ctx) { return cmd_run(ctx, *o); });
  c->add_option("--mailbox", o->mailboxes, "Only this mailbox (by name; repeatable)");
  c->add_option("--limit", o->limit, "Stop after N messages in this run")->check(CLI::PositiveNumber);
  c->add_flag("--no-push", o->no_push, "Only queue accepted mail; do not push to the CRM");
  c->add_flag("--once", o->once,
              "Read the folders from their start without using or moving the cursor; leave every message where it is");
  c->add_option("--folder", o->folder, "With --once: read this folder instead of the configured ones (IMAP)");
  c->add_option("--jobs", o->jobs, "Threads that parse and decide messages (default: one per core; 1: none)")
      ->check(CLI::Range(1, 256));
}

}  // namespace crmr
