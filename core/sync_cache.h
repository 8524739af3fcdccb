// SyncCache: the port through which the sync run (core/engine/sync_run.h)
// writes what it reads from the CRM into the local cache: organisation
// settings, records and tracked e-mails (upserts, deletions, the sweep after
// a full read), the users' filtering methods, the delta links and watermark
// kept between syncs, and a set on disk of the ids a full read returned. The
// store (storage/store.h) implements it. The count_* methods read only, for
// the dry run.
//
// Failure: every method returns the store's Error (Scope::Run).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/cache_view.h"
#include "core/crm_record.h"
#include "core/result.h"
#include "core/seen_keys.h"

namespace crmr {

// The entity name sync uses for the tracked e-mails (sweep_unseen).
inline constexpr std::string_view kTrackedEntity = "email";

class SyncCache {
 public:
  virtual ~SyncCache() = default;

  virtual Status put_org(const OrgSettings& org) = 0;
  virtual Status upsert_record(const CrmRecord& r) = 0;
  virtual Status upsert_tracked(const TrackedEmail& e) = 0;
  virtual Status delete_record(const std::string& entity, const std::string& id) = 0;

  // After a full read of `entity`: delete (count) the cached records of
  // `entity` that `seen(id)` says the read did not return.
  using SeenFn = std::function<Result<bool>(const std::string& id)>;
  virtual Result<std::int64_t> sweep_unseen(const std::string& entity, const SeenFn& seen) = 0;
  virtual Result<std::int64_t> count_unseen(const std::string& entity, const SeenFn& seen) const = 0;
  // The filtering method of cached records of `entity` by id; returns how
  // many had another one (count_*: would have).
  virtual Result<std::int64_t> set_filtering_methods(const std::string& entity,
                                                     const std::map<std::string, int>& by_id) = 0;
  virtual Result<std::int64_t> count_filtering_changes(const std::string& entity,
                                                       const std::map<std::string, int>& by_id) const = 0;

  // Delta links and the watermark, by key.
  virtual Result<std::optional<std::string>> state_get(const std::string& key) const = 0;
  virtual Status state_set(const std::string& key, const std::string& value) = 0;

  // An empty set of ids (possibly millions: on disk), deleted when released.
  virtual Result<std::unique_ptr<SeenKeys>> open_id_set() const = 0;

  virtual Status begin() = 0;
  virtual Status commit() = 0;
  virtual void rollback() noexcept = 0;
};

}  // namespace crmr
