// `sync`: refresh the cache from the CRM. Organisation settings are read whole
// each time. System users, queues, contacts, accounts and leads use change
// tracking: the first sync (and `--full`, and an expired delta token) reads
// everything and keeps the delta link in the store's state
// ("sync.delta.<entity>"), later ones read only changes and deletions. After
// a full read the cached records of that entity the CRM did not return are
// swept (deleted), so a sync makes the CRM authoritative for the entity:
// records loaded by `cache import` are replaced. The users' filtering methods
// (usersettingscollection, not change-tracked) are read whole each time and
// applied to every cached user (one transaction, before the users are read).
// Tracked e-mails are read by a modifiedon watermark ("sync.emails.watermark"),
// which cannot see deletions: the first sync and `--full` read them all and
// sweep the cached ones the CRM no longer has, as for records.
// A full read of tracked e-mails is bounded by the look-back window
// `[crm] tracked_days` (modifiedon ge now - N days; 0: no bound), so the first
// sync of a CRM with millions of e-mails reads only the recent ones; the sweep
// after it removes cached e-mails outside the window.
// A sync of every entity that succeeds stores its time (kLastSyncKey, the
// cache's age for `status` and `check`); a failing one stores its error
// (kLastSyncErrorKey) and the error also goes to the log.
// Each page is one store transaction; the sweep and the new delta link follow
// the last page in one more, so a read that fails midway sweeps nothing and
// keeps the old link (the watermark, too, is stored after the last page).
#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <memory>

#include "cli/commands/command_set.h"
#include "cli/commands/crm_commands.h"
#include "cli/exit_codes.h"
#include "cli/lock.h"
#include "core/report/report.h"
#include "storage/key_set.h"

namespace crmr {
namespace {

const std::vector<std::string> kAll = {"organization", "systemuser", "queue", "contact",
                                       "account",      "lead",       "email"};

struct Counts {
  std::uint64_t upserted = 0;
  std::uint64_t deleted = 0;    // deletions the CRM reported, plus records swept after a full read
  std::uint64_t filtering = 0;  // cached users given another filtering method
  bool full = false;
};

class Syncer {
 public:
  Syncer(Context& ctx, Store& store, CrmSink& crm, bool full)
      : ctx_(ctx), store_(store), crm_(crm), full_(full), write_(!ctx.dry_run) {}

  // The start of the look-back window of a full read of tracked e-mails
  // ("" when tracked_days is 0: read them all).
  std::string tracked_window_start() const {
    const std::int64_t days = ctx_.cfg.crm.tracked_days;
    if (days == 0) return {};
    using namespace std::chrono;
    const std::int64_t now = floor<seconds>(system_clock::now()).time_since_epoch().count();
    return iso_utc(now - days * 86400);
  }

  Status org() {
    auto o = crm_.read_org();
    if (!o) return std::unexpected(o.error());
    if (write_) return store_.put_org(*o);
    return {};
  }

  Status records(const std::string& entity, Counts& n) {
    std::map<std::string, int> filtering;
    if (entity == "systemuser") {
      auto f = crm_.read_user_filtering();
      if (!f) return std::unexpected(f.error());
      filtering = std::move(*f);
      // Every cached user, changed in the CRM or not: a filtering method
      // changes without the systemuser row changing.
      auto changed = write_ ? store_.set_filtering_methods(entity, filtering)
                            : store_.count_filtering_changes(entity, filtering);
      if (!changed) return std::unexpected(changed.error());
      n.filtering = static_cast<std::uint64_t>(*changed);
    }
    const std::string key = "sync.delta." + entity;
    std::string delta;
    if (!full_) {
      auto d = store_.state_get(key);
      if (!d) return std::unexpected(d.error());
      delta = d->value_or("");
    }
    std::unique_ptr<KeySet> seen;  // ids a full read returned (on disk: millions of contacts)
    auto link = crm_.read_records(entity, delta, [&](const RecordPage& page) -> Status {
      n.full = n.full || page.full_read;
      n.upserted += page.upserts.size();
      n.deleted += page.deleted.size();
      progress(entity, n);
      if (page.full_read)
        for (const CrmRecord& r : page.upserts)
          if (auto st = remember(seen, r.id); !st) return st;
      if (!write_) return {};
      if (auto s = store_.begin(); !s) return s;
      for (const CrmRecord& r : page.upserts) {
        CachedRecord c{r.entity, r.id, r.name, r.active, r.filtering_method, r.addresses};
        if (auto it = filtering.find(r.id); it != filtering.end()) c.filtering_method = it->second;
        if (auto s = store_.upsert_record(c); !s) return rollback(s);
      }
      for (const std::string& id : page.deleted)
        if (auto s = store_.delete_record(entity, id); !s) return rollback(s);
      return store_.commit();
    });
    if (!link) return std::unexpected(link.error());
    return finish(entity, key, *link, seen.get(), n);
  }

  Status emails(Counts& n) {
    const std::string key = "sync.emails.watermark";
    std::string wm;
    if (!full_) {
      auto w = store_.state_get(key);
      if (!w) return std::unexpected(w.error());
      wm = w->value_or("");
    }
    n.full = wm.empty();
    if (n.full) wm = tracked_window_start();
    std::unique_ptr<KeySet> seen;  // activity ids a full read returned
    auto next = crm_.read_tracked(wm, [&](const std::vector<TrackedEmail>& page) -> Status {
      n.upserted += page.size();
      progress("email", n);
      if (n.full)
        for (const TrackedEmail& t : page)
          if (auto st = remember(seen, t.activity_id); !st) return st;
      if (!write_) return {};
      if (auto s = store_.begin(); !s) return s;
      for (const TrackedEmail& t : page)
        if (auto s = store_.upsert_tracked(t); !s) return rollback(s);
      return store_.commit();
    });
    if (!next) return std::unexpected(next.error());
    return finish(std::string(kTrackedEntity), key, *next, seen.get(), n);
  }

 private:
  Status rollback(Status s) {
    store_.rollback();
    return s;
  }
  // Adds an id a full read returned to `seen` (opened on the first one).
  static Status remember(std::unique_ptr<KeySet>& seen, const std::string& id) {
    if (!seen) {
      auto set = KeySet::open_temporary();
      if (!set) return std::unexpected(set.error());
      seen = std::move(*set);
    }
    return seen->insert(id);
  }

  // After the last page, one transaction: a full read sweeps the cached
  // records of `entity` it did not return; the delta link (for e-mails the
  // watermark) is kept. No `seen` set: the full read returned nothing.
  Status finish(const std::string& entity, const std::string& key, const std::string& link,
                const KeySet* seen, Counts& n) {
    if (write_)
      if (auto st = store_.begin(); !st) return st;
    if (n.full) {
      ctx_.out.progress("sync " + entity + ": " + std::to_string(n.upserted) +
                        " read, removing records the CRM no longer has");
      auto in_read = [seen](const std::string& id) -> Result<bool> {
        if (!seen) return false;
        return seen->find(id);
      };
      auto swept = write_ ? store_.sweep_unseen(entity, in_read) : store_.count_unseen(entity, in_read);
      if (!swept) {
        if (write_) store_.rollback();
        return std::unexpected(swept.error());
      }
      n.deleted += static_cast<std::uint64_t>(*swept);
    }
    if (!write_) return {};
    if (!link.empty())
      if (auto st = store_.state_set(key, link); !st) return rollback(st);
    return store_.commit();
  }

  void progress(const std::string& entity, const Counts& n) {
    ctx_.out.progress("sync " + entity + ": " + std::to_string(n.upserted) + " read, " +
                      std::to_string(n.deleted) + " deleted");
  }

  Context& ctx_;
  Store& store_;
  CrmSink& crm_;
  bool full_;
  bool write_;
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
  for (const auto& e : o.only) {
    if (std::find(kAll.begin(), kAll.end(), e) == kAll.end()) {
      ctx.out.error("sync: unknown entity '" + e + "' (organization systemuser queue contact account lead email)");
      return kExitUsage;
    }
  }
  auto lock = lock_database(ctx);
  if (!lock) return lock.error();
  auto store = ctx.open_store();
  if (!store) return ctx.fail_with(store.error());
  auto crm = open_crm_sink(ctx);
  if (!crm) {
    ctx.out.error(crm.error().describe());
    if (!ctx.dry_run)
      (void)(*store)->state_set(kLastSyncErrorKey, iso_now() + "\t" + crm.error().describe());
    return kExitConfig;
  }
  Syncer s(ctx, **store, **crm, o.full);
  for (const std::string& entity : kAll) {
    if (!o.only.empty() && std::find(o.only.begin(), o.only.end(), entity) == o.only.end()) continue;
    Counts n;
    Status st;
    if (entity == "organization") st = s.org();
    else if (entity == "email") st = s.emails(n);
    else st = s.records(entity, n);
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
