#include "core/engine/sync_run.h"

#include <chrono>
#include <map>

#include "core/base/iso_time.h"

namespace crmr {

const std::vector<std::string>& sync_entities() {
  static const std::vector<std::string> all = {"organization", "systemuser", "queue", "contact",
                                               "account",      "lead",       "email"};
  return all;
}

Status SyncRun::entity(const std::string& entity, SyncCounts& n) {
  if (entity == "organization") return org();
  if (entity == "email") return emails(n);
  return records(entity, n);
}

// The start of the look-back window of a full read of tracked e-mails
// ("" when tracked_days is 0: read them all).
std::string SyncRun::tracked_window_start() const {
  const std::int64_t days = o_.tracked_days;
  if (days == 0) return {};
  using namespace std::chrono;
  const std::int64_t now = floor<seconds>(system_clock::now()).time_since_epoch().count();
  return iso_utc(now - days * 86400);
}

Status SyncRun::org() {
  auto o = crm_.read_org();
  if (!o) return std::unexpected(o.error());
  if (o_.write) return cache_.put_org(*o);
  return {};
}

Status SyncRun::records(const std::string& entity, SyncCounts& n) {
  std::map<std::string, int> filtering;
  if (entity == "systemuser") {
    auto f = crm_.read_user_filtering();
    if (!f) return std::unexpected(f.error());
    filtering = std::move(*f);
    // Every cached user, changed in the CRM or not: a filtering method
    // changes without the systemuser row changing.
    auto changed = o_.write ? cache_.set_filtering_methods(entity, filtering)
                            : cache_.count_filtering_changes(entity, filtering);
    if (!changed) return std::unexpected(changed.error());
    n.filtering = static_cast<std::uint64_t>(*changed);
  }
  const std::string key = "sync.delta." + entity;
  std::string delta;
  if (!o_.full) {
    auto d = cache_.state_get(key);
    if (!d) return std::unexpected(d.error());
    delta = d->value_or("");
  }
  std::unique_ptr<SeenKeys> seen;  // ids a full read returned (on disk: millions of contacts)
  auto link = crm_.read_records(entity, delta, [&](const RecordPage& page) -> Status {
    n.full = n.full || page.full_read;
    n.upserted += page.upserts.size();
    n.deleted += page.deleted.size();
    progress(entity, n);
    if (page.full_read)
      for (const CrmRecord& r : page.upserts)
        if (auto st = remember(seen, r.id); !st) return st;
    if (!o_.write) return {};
    if (auto s = cache_.begin(); !s) return s;
    for (const CrmRecord& r : page.upserts) {
      CrmRecord c = r;
      if (auto it = filtering.find(r.id); it != filtering.end()) c.filtering_method = it->second;
      if (auto s = cache_.upsert_record(c); !s) return rollback(s);
    }
    for (const std::string& id : page.deleted)
      if (auto s = cache_.delete_record(entity, id); !s) return rollback(s);
    return cache_.commit();
  });
  if (!link) return std::unexpected(link.error());
  return finish(entity, key, *link, seen.get(), n);
}

Status SyncRun::emails(SyncCounts& n) {
  const std::string key = "sync.emails.watermark";
  std::string wm;
  if (!o_.full) {
    auto w = cache_.state_get(key);
    if (!w) return std::unexpected(w.error());
    wm = w->value_or("");
  }
  n.full = wm.empty();
  if (n.full) wm = tracked_window_start();
  std::unique_ptr<SeenKeys> seen;  // activity ids a full read returned
  auto next = crm_.read_tracked(wm, [&](const std::vector<TrackedEmail>& page) -> Status {
    n.upserted += page.size();
    progress("email", n);
    if (n.full)
      for (const TrackedEmail& t : page)
        if (auto st = remember(seen, t.activity_id); !st) return st;
    if (!o_.write) return {};
    if (auto s = cache_.begin(); !s) return s;
    for (const TrackedEmail& t : page)
      if (auto s = cache_.upsert_tracked(t); !s) return rollback(s);
    return cache_.commit();
  });
  if (!next) return std::unexpected(next.error());
  return finish(std::string(kTrackedEntity), key, *next, seen.get(), n);
}

Status SyncRun::rollback(Status s) {
  cache_.rollback();
  return s;
}

// Adds an id a full read returned to `seen` (opened on the first one).
Status SyncRun::remember(std::unique_ptr<SeenKeys>& seen, const std::string& id) {
  if (!seen) {
    auto set = cache_.open_id_set();
    if (!set) return std::unexpected(set.error());
    seen = std::move(*set);
  }
  return seen->insert(id);
}

// After the last page, one transaction: a full read sweeps the cached
// records of `entity` it did not return; the delta link (for e-mails the
// watermark) is kept. No `seen` set: the full read returned nothing.
Status SyncRun::finish(const std::string& entity, const std::string& key, const std::string& link,
                       const SeenKeys* seen, SyncCounts& n) {
  if (o_.write)
    if (auto st = cache_.begin(); !st) return st;
  if (n.full) {
    observer_.progress("sync " + entity + ": " + std::to_string(n.upserted) +
                       " read, removing records the CRM no longer has");
    auto in_read = [seen](const std::string& id) -> Result<bool> {
      if (!seen) return false;
      return seen->find(id);
    };
    auto swept = o_.write ? cache_.sweep_unseen(entity, in_read) : cache_.count_unseen(entity, in_read);
    if (!swept) {
      if (o_.write) cache_.rollback();
      return std::unexpected(swept.error());
    }
    n.deleted += static_cast<std::uint64_t>(*swept);
  }
  if (!o_.write) return {};
  if (!link.empty())
    if (auto st = cache_.state_set(key, link); !st) return rollback(st);
  return cache_.commit();
}

void SyncRun::progress(const std::string& entity, const SyncCounts& n) {
  observer_.progress("sync " + entity + ": " + std::to_string(n.upserted) + " read, " +
                     std::to_string(n.deleted) + " deleted");
}

}  // namespace crmr
