// `check`: test access to every configured mailbox and say what the next run
// would fetch, after what the cache holds (check_cache); with [crm], test
// the CRM too (check_crm.cc). Reads the state database read-only; writes
// nothing anywhere.
#include <CLI/CLI.hpp>

#include <chrono>

#include <algorithm>
#include <memory>

#include "cli/commands/command_set.h"
#include "cli/cache_guard.h"
#include "cli/commands/crm_commands.h"
#include "cli/exit_codes.h"
#include "cli/commands/mailbox_commands.h"
#include "cli/mailbox_signin.h"
#include "cli/platform.h"
#include "core/engine/mailbox_cursor.h"
#include "core/engine/mailbox_listing.h"

namespace crmr {
namespace {

struct CheckTally {
  bool unreachable = false;
  bool config = false;
};

std::string cursor_text(const std::optional<FolderCursor>& c, const MailboxCapabilities& caps) {
  if (!c) return "never read";
  if (!caps.persistent_uids) return "read before";
  return "cursor UIDVALIDITY " + std::to_string(c->uidvalidity) + ", UID " +
         std::to_string(c->last_uid);
}

void check_folder(Context& ctx, MailboxSession& s, const MailboxConfig& m, const Store& store,
                  const std::string& folder, CheckTally& t) {
  std::string resolved = s.resolve_folder(folder);
  const std::string label =
      "  " + folder + (resolved != folder ? " (on the server: " + resolved + ")" : "") + ": ";
  auto state = s.select(folder);
  if (!state) {
    ctx.out.error("mailbox " + m.name + ", folder " + folder + ": " + state.error().describe());
    t.unreachable = true;
    return;
  }
  auto cursor = load_cursor(store, m.name, folder);
  if (!cursor) {
    ctx.out.error(cursor.error().describe());
    t.unreachable = true;
    return;
  }
  const MailboxCapabilities caps = s.caps();
  std::string line = label + std::to_string(state->exists) + " messages";
  if (caps.persistent_uids) line += ", UIDVALIDITY " + std::to_string(state->uidvalidity);
  line += " (" + cursor_text(*cursor, caps) + ")";
  auto start = plan_start(m, *cursor, *state, caps);
  if (!start) {
    ctx.out.info(line);
    ctx.out.error(ctx.cfg.path + ":" + std::to_string(m.line) + ": " + start.error().describe());
    t.config = true;
    return;
  }
  if (start->uidvalidity_changed) line += "; UIDVALIDITY changed since the last run";
  // The run's own listing (list_folder), so this is what the run would fetch.
  auto listed = list_folder(s, m, store, *start);
  if (!listed) {
    ctx.out.info(line);
    ctx.out.error("mailbox " + m.name + ", folder " + folder + ": " + listed.error().describe());
    t.unreachable = true;
    return;
  }
  std::size_t n = listed->ids.size();
  if (m.max_messages_per_run) n = std::min<std::size_t>(n, m.max_messages_per_run);
  line += "; the next run fetches " + std::to_string(n);
  if (!listed->skipped_by_date.empty())
    line += " (" + std::to_string(listed->skipped_by_date.size()) + " older than since: not fetched)";
  ctx.out.info(line);
  for (const auto& w : listed->warnings) ctx.out.warn("mailbox " + m.name + ", folder " + folder + ": " + w);
}

}  // namespace

int cmd_check(Context& ctx, const CheckOptions& o) {
  auto selected = select_mailboxes(ctx, o.mailboxes);
  if (!selected) return kExitUsage;
  ctx.out.info("configuration " + (ctx.cfg.path.empty() ? std::string("(none)") : ctx.cfg.path) +
               ": valid, " + std::to_string(ctx.cfg.mailboxes.size()) + " mailbox(es)");
  if (!ctx.cfg.path.empty() && platform::readable_by_others(ctx.cfg.path))
    ctx.out.warn("the configuration file " + ctx.cfg.path +
                 " is readable by group or others (chmod 600 it)");
  auto store = Store::open(ctx.db_path, OpenMode::ReadOnly);
  if (!store) return ctx.fail_with(store.error());
  const int cache_rc = check_cache(ctx, **store);

  CheckTally t;
  MailboxTokens tokens;
  auto tls = make_tls_sessions();
  for (const MailboxConfig* m : *selected) {
    std::vector<std::string> warnings;
    const auto t0 = std::chrono::steady_clock::now();
    auto session = sign_in(*m, tokens, warnings, [&](MailboxEndpoint& ep) {
      ctx.trace_mailbox(m->name, ep);
      ep.tls_sessions = tls;
    });
    for (const auto& w : warnings) ctx.out.warn(w);
    if (!session) {
      const Error& e = session.error();
      ctx.out.error(e.message.starts_with("mailbox " + m->name) ? e.describe()
                                                                : "mailbox " + m->name + ": " + e.describe());
      (exit_code_for(e) == kExitConfig ? t.config : t.unreachable) = true;
      continue;
    }
    ctx.out.info("mailbox " + m->name + " (" + m->url + ", user " + m->user +
                 "): connected and logged in with " + (*session)->logged_in_with());
    ctx.out.info("  capabilities: " + (*session)->capabilities());
    const MailboxCapabilities caps = (*session)->caps();
    if (caps.folders) {
      ctx.out.info("  namespace: " + (*session)->namespace_text());
      for (const std::string* f : {&m->after.folder, &m->quarantine_folder}) {
        if (f->empty() || (f == &m->after.folder && m->after.kind != Disposition::Move)) continue;
        std::string to = (*session)->resolve_folder(*f);
        ctx.out.info(std::string("  ") + (f == &m->quarantine_folder ? "quarantine_folder " : "after = move:") +
                     *f + (to != *f ? " -> " + to : " (as written)") +
                     " (created at the first move if missing and the server allows it)");
      }
    }
    for (const auto& folder : caps.folders ? m->folders : std::vector<std::string>{"INBOX"})
      check_folder(ctx, **session, *m, **store, folder, t);
    if (auto st = (*session)->close(); !st) {
      ctx.out.error("mailbox " + m->name + ": " + st.error().describe());
      t.unreachable = true;
    }
    // What a run with nothing new costs this mailbox: the server's distance
    // times the round trips, which parallel_mailboxes overlaps across mailboxes.
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::steady_clock::now() - t0).count();
    ctx.out.info("  " + std::to_string((*session)->round_trips()) + " round trips, " +
                 std::to_string(ms) + " ms (connect to logout)");
  }
  // The CRM: token, WhoAmI, organisation settings, the cache's freshness.
  int crm_rc = kExitOk;
  if (ctx.cfg.crm.configured() && o.mailboxes.empty()) crm_rc = check_crm(ctx, store->get());
  // The documented precedence: configuration, then the cache, then access.
  if (t.config || crm_rc == kExitConfig) return kExitConfig;
  if (cache_rc != kExitOk) return cache_rc;
  if (t.unreachable || crm_rc == kExitUnreachable) return kExitUnreachable;
  return crm_rc;
}

// --- its command line ---

void add_check_command(CLI::App& app, CommandSet& set) {
  auto o = std::make_shared<CheckOptions>();
  auto* c = set.add(app, "check", "Test access: connect and log in to every mailbox, show what the next run fetches",
                    [o](Context& ctx) { return cmd_check(ctx, *o); });
  c->add_option("--mailbox", o->mailboxes, "Only this mailbox (by name; repeatable)");
}

}  // namespace crmr
