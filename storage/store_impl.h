// Store::Impl, shared by the store_*.cc files that implement Store: the
// connection (with its cached statements) and what the Store remembers.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/db.h"
#include "storage/snapshot_memo.h"
#include "storage/store.h"

namespace crmr {

struct Store::Impl {
  db::Connection conn;
  OpenMode mode = OpenMode::ReadWrite;
  std::string path;                         // as given to open()
  mutable std::optional<OrgSettings> org;   // cached org settings; reset on rollback
  bool file_missing = false;                // ReadOnly on a path that does not exist
  mutable std::optional<Error> lookup_error;  // sticky: the first failed CacheView lookup
  SnapshotMemo memo;                          // the decision's lookups within one snapshot

  // Keeps `e` as the lookup error unless one is kept already.
  void lookup_failed(const Error& e) const;
  // The organisation settings as stored (the defaults when none are), or the
  // error reading them: read once, then kept in `org` (valid until a rollback
  // or put_org replaces it), so the hot paths use them without a copy.
  Result<const OrgSettings*> read_org();

  // Error "store.read_only" when opened ReadOnly; `what` names the write.
  Status writable(std::string_view what) const;
  // Recomputes the subject hashes of every tracked e-mail with `org`.
  Status rehash_subjects(const OrgSettings& org);
  // The tracked e-mail with row id `tid`, if any (store_cache.cc).
  Result<std::optional<TrackedEmail>> tracked_by_tid(std::int64_t tid);
  // Replaces the subject hashes of tracked e-mail `tid` (`clear` false: it has none yet).
  Status put_subject_hashes(std::int64_t tid, const std::string& subject, const OrgSettings& org,
                            bool clear = true);
};

// ';'-separated text lists as stored in the database.
std::string join_list(const std::vector<std::string>& items);
std::vector<std::string> split_list(std::string_view text);

}  // namespace crmr
