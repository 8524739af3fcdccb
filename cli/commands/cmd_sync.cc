// `sync`: refresh the cache from the CRM (SyncRun, core/engine/sync_run.h,
// describes what is read and how the cache follows). This command checks its
// options, prints a line per entity, and keeps the cache's freshness: a sync
// of every entity that succeeds stores its time (kLastSyncKey, the cache's
// age for `status` and `check`); a failing one stores its error
// (kLastSyncErrorKey) and the error also goes to the log.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <memory>

#include "cli/commands/command_set.h"
#include "cli/commands/crm_commands.h"
#include "cli/exit_codes.h"
#include "cli/lock.h"
#include "core/engine/sync_run.h"
#include "core/report/report.h"

namespace crmr {
namespace {

// The sync run's progress lines, on the progress line of the output.
class ProgressObserver : public SyncObserver {
 public:
  explicit ProgressObserver(Output& out) : out_(out) {}
  void progress(const std::string& line) override { out_.progress(line); }

 private:
  Output& out_;
};

// A sync stops for its configuration (3), the CRM (4), or else the store (6).
int exit_code_of(const Error& e) {
  const int rc = exit_code_for(e);
  return rc == kExitConfig || rc == kExitUnreachable ? rc : kExitStorage;
}

}  // namespace

int cmd_sync(Context& ctx, const SyncOptions& o) {
  if (!ctx.cfg.crm.configured()) {
    ctx.out.error("sync needs a [crm] section in the configuration (see crm-router.conf(5))");
    return kExitConfig;
  }
  const std::vector<std::string>& all = sync_entities();
  for (const auto& e : o.only) {
    if (std::find(all.begin(), all.end(), e) == all.end()) {
      ctx.out.error("sync: unknown entity '" + e + "' (organization systemuser queue contact account lead email)");
      return kExitUsage;
    }
  }
  auto lock = lock_database(ctx);
  if (!lock) return lock.error();
  auto store = ctx.open_store();
  if (!store) return ctx.fail_with(store.error());
  auto crm = open_crm_reader(ctx);
  if (!crm) {
    ctx.out.error(crm.error().describe());
    if (!ctx.dry_run)
      (void)(*store)->state_set(kLastSyncErrorKey, iso_now() + "\t" + crm.error().describe());
    return kExitConfig;
  }
  ProgressObserver observer(ctx.out);
  SyncRun s(**store, **crm, SyncRunOptions{o.full, !ctx.dry_run, ctx.cfg.crm.tracked_days}, observer);
  for (const std::string& entity : all) {
    if (!o.only.empty() && std::find(o.only.begin(), o.only.end(), entity) == o.only.end()) continue;
    SyncCounts n;
    Status st = s.entity(entity, n);
    ctx.out.progress_done();
    if (!st) {
      const std::string line = "sync " + entity + ": " + st.error().describe();
      ctx.out.error(line);
      if (!ctx.dry_run) (void)(*store)->state_set(kLastSyncErrorKey, iso_now() + "\t" + line);
      return exit_code_of(st.error());
    }
    if (entity == "organization") {
      ctx.out.info("organization: settings read");
    } else {
      std::string line = entity + ": " + std::to_string(n.upserted) + " read";
      if (n.deleted) line += ", " + std::to_string(n.deleted) + " deleted";
      if (n.filtering)
        line += ", " + std::to_string(n.filtering) + " filtering method" + (n.filtering == 1 ? "" : "s") +
                " changed";
      ctx.out.info(line + (n.full ? " (full read)" : " (changes only)"));
    }
  }
  if (ctx.dry_run) {
    ctx.out.info("dry run: the cache was not changed");
    return kExitOk;
  }
  if (o.only.empty()) {
    // `check`, `status` and the age warning read this time.
    Status st = (*store)->note_cache_refresh(CacheRefresh::Sync);
    if (st) st = (*store)->state_delete(kLastSyncErrorKey);
    if (!st) return ctx.fail_with(st.error());
  }
  return kExitOk;
}

// --- its command line ---

void add_sync_command(CLI::App& app, CommandSet& set) {
  auto o = std::make_shared<SyncOptions>();
  auto* c = set.add(app, "sync", "Refresh the cache from the CRM (incremental after the first run)",
                    [o](Context& ctx) { return cmd_sync(ctx, *o); });
  c->add_flag("--full", o->full, "Read everything again (ignore delta links and the watermark)");
  c->add_option("--only", o->only,
                "Only these: organization systemuser queue contact account lead email (repeatable)");
}

}  // namespace crmr
