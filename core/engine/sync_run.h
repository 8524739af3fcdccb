// The sync run: refresh the cache from the CRM, one entity at a time.
// Organisation settings are read whole each time. System users, queues,
// contacts, accounts and leads use change tracking: the first sync (and
// `full`, and an expired delta token) reads everything and keeps the delta
// link in the cache's state ("sync.delta.<entity>"), later ones read only
// changes and deletions. After a full read the cached records of that entity
// the CRM did not return are swept (deleted), so a sync makes the CRM
// authoritative for the entity: records loaded by `cache import` are
// replaced. The users' filtering methods (usersettingscollection, not
// change-tracked) are read whole each time and applied to every cached user
// (one transaction, before the users are read). Tracked e-mails are read by a
// modifiedon watermark ("sync.emails.watermark"), which cannot see
// deletions: the first sync and `full` read them all and sweep the cached
// ones the CRM no longer has, as for records. A full read of tracked e-mails
// is bounded by the look-back window `tracked_days` (modifiedon ge now - N
// days; 0: no bound), so the first sync of a CRM with millions of e-mails
// reads only the recent ones; the sweep after it removes cached e-mails
// outside the window.
// Each page is one cache transaction; the sweep and the new delta link follow
// the last page in one more, so a read that fails midway sweeps nothing and
// keeps the old link (the watermark, too, is stored after the last page).
// A dry run (`write` false) reads the CRM and counts, and writes nothing.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/crm_reader.h"
#include "core/result.h"
#include "core/sync_cache.h"

namespace crmr {

// The entities a sync reads, in order.
const std::vector<std::string>& sync_entities();

struct SyncCounts {
  std::uint64_t upserted = 0;
  std::uint64_t deleted = 0;    // deletions the CRM reported, plus records swept after a full read
  std::uint64_t filtering = 0;  // cached users given another filtering method
  bool full = false;
};

struct SyncRunOptions {
  bool full = false;               // ignore delta links and the watermark: read everything
  bool write = true;               // false: a dry run (the cache is not changed)
  std::int64_t tracked_days = 0;   // look-back window of a full read of tracked e-mails (0: all)
};

// Told what the sync run does, on the thread that runs it.
class SyncObserver {
 public:
  virtual ~SyncObserver() = default;
  // A progress line ("sync contact: 1200 read, 3 deleted").
  virtual void progress(const std::string& line) = 0;
};

class SyncRun {
 public:
  SyncRun(SyncCache& cache, CrmReader& crm, SyncRunOptions o, SyncObserver& observer)
      : cache_(cache), crm_(crm), o_(o), observer_(observer) {}

  // One entity of sync_entities(): "organization", "email" or a record entity.
  Status entity(const std::string& entity, SyncCounts& n);

  Status org();
  Status records(const std::string& entity, SyncCounts& n);
  Status emails(SyncCounts& n);

 private:
  std::string tracked_window_start() const;
  Status rollback(Status s);
  Status remember(std::unique_ptr<SeenKeys>& seen, const std::string& id);
  Status finish(const std::string& entity, const std::string& key, const std::string& link,
                const SeenKeys* seen, SyncCounts& n);
  void progress(const std::string& entity, const SyncCounts& n);

  SyncCache& cache_;
  CrmReader& crm_;
  SyncRunOptions o_;
  SyncObserver& observer_;
};

}  // namespace crmr
