// Store: the candidates of smart matching, tracked e-mails that share subject
// hashes with a message, most shared first.
//
// A word can be in a great many cached subjects ("update", "order" in a CRM of
// millions of e-mails): reading every e-mail holding it for every message that
// uses it would make the decision as slow as the cache is big. So each hash's
// e-mails are read up to kCommonHash of them. When every list is shorter, the
// answer is exact: every e-mail sharing a hash, ranked. When some hashes are
// common, the e-mails that can still match are found without reading those
// lists whole: a match differs by at most hash_delta_subject_count (d) hashes,
// so it holds at least one of any d + 1 of the message's hashes, and therefore
// is in one of the rare lists when there are d + 1 of them. Those candidates
// are counted exactly (the common hashes are looked up per candidate);
// e-mails that share only common hashes cannot match and are left out. With
// fewer than d + 1 rare hashes (a subject made of common words only), the
// kCommonScan most recently cached e-mails of each common hash are compared.
// Each hash's list (or that it is common) is remembered while the database is
// unchanged (storage/snapshot_memo.h): a run looks the same words up again
// and again.
#include <algorithm>
#include <unordered_map>

#include "storage/store_impl.h"

namespace crmr {
namespace {

constexpr char kTidsByHash[] =
    "SELECT tid FROM tracked_subject_hashes WHERE hash = ?1 ORDER BY tid DESC LIMIT ?2";
constexpr char kHasHash[] = "SELECT 1 FROM tracked_subject_hashes WHERE hash = ?1 AND tid = ?2";

// Smart matching returns at most this many candidates, those sharing the most
// subject hashes first.
constexpr std::size_t kMaxSmartCandidates = 200;
// A hash held by more cached subjects than this is common.
constexpr std::int64_t kCommonHash = 1000;
// Subjects of common words only: the e-mails of each hash compared, newest first.
constexpr std::int64_t kCommonScan = 20000;

// Up to `limit` tids holding `hash`, newest first, into `out`.
Status tids_of(db::Connection& conn, std::int32_t hash, std::int64_t limit,
               std::vector<std::int64_t>& out) {
  auto q = conn.cached(kTidsByHash);
  if (!q) return fail(q.error());
  Status st = (*q)->bind(1, static_cast<std::int64_t>(hash));
  if (st) st = (*q)->bind(2, limit);
  if (st) st = db::for_each_row(**q, [&](const db::Statement& row) -> Status {
    out.push_back(row.column_int64(0));
    return {};
  });
  return st;
}

Result<bool> has_hash(db::Connection& conn, std::int32_t hash, std::int64_t tid) {
  auto q = conn.cached(kHasHash);
  if (!q) return fail(q.error());
  Status st = (*q)->bind(1, static_cast<std::int64_t>(hash));
  if (st) st = (*q)->bind(2, tid);
  if (!st) return fail(st.error());
  return (*q)->step();
}

// The tids holding `hash`, newest first, or std::nullopt when more than
// kCommonHash do (a common hash); remembered for the snapshot.
Result<SnapshotMemo::HashTids> hash_tids(Store::Impl& impl, std::int32_t hash) {
  const bool memo = impl.memo.usable(impl.conn);
  if (memo)
    if (const auto* known = impl.memo.find_hash(hash)) return *known;
  std::vector<std::int64_t> tids;
  if (auto st = tids_of(impl.conn, hash, kCommonHash + 1, tids); !st) return fail(st.error());
  SnapshotMemo::HashTids out;
  if (static_cast<std::int64_t>(tids.size()) <= kCommonHash) out = std::move(tids);
  if (memo) impl.memo.keep_hash(hash, out);
  return out;
}

// tid -> hashes in common with the message.
using SharedCounts = std::unordered_map<std::int64_t, int>;

Status count_candidates(Store::Impl& impl, const std::vector<std::int32_t>& hashes,
                        SharedCounts& shared) {
  std::vector<std::int32_t> common;
  for (std::int32_t hash : hashes) {
    auto tids = hash_tids(impl, hash);
    if (!tids) return fail(tids.error());
    if (!*tids) {
      common.push_back(hash);
      continue;
    }
    for (std::int64_t tid : **tids) ++shared[tid];
  }
  if (common.empty()) return {};

  auto org = impl.read_org();
  if (!org) return fail(org.error());
  const std::size_t rare = hashes.size() - common.size();
  if (rare >= static_cast<std::size_t>(std::max(0, (*org)->hash_delta_subject_count)) + 1) {
    // Every e-mail that can match is among the rare lists' ones.
    for (auto& [tid, count] : shared)
      for (std::int32_t hash : common) {
        auto has = has_hash(impl.conn, hash, tid);
        if (!has) return fail(has.error());
        if (*has) ++count;
      }
    return {};
  }
  for (std::int32_t hash : common) {
    std::vector<std::int64_t> tids;
    if (auto st = tids_of(impl.conn, hash, kCommonScan, tids); !st) return st;
    for (std::int64_t tid : tids) ++shared[tid];
  }
  return {};
}

}  // namespace

std::vector<TrackedEmail> Store::tracked_by_subject_hashes(
    const std::vector<std::int32_t>& hashes) const {
  auto failed = [&](const Error& e) {
    impl_->lookup_failed(e);
    return std::vector<TrackedEmail>{};
  };
  std::vector<std::int32_t> unique(hashes);
  std::sort(unique.begin(), unique.end());
  unique.erase(std::unique(unique.begin(), unique.end()), unique.end());
  SharedCounts shared;
  if (auto st = count_candidates(*impl_, unique, shared); !st) return failed(st.error());

  std::vector<std::pair<std::int64_t, int>> ranked(shared.begin(), shared.end());
  const std::size_t keep = std::min(ranked.size(), kMaxSmartCandidates);
  std::partial_sort(ranked.begin(), ranked.begin() + static_cast<std::ptrdiff_t>(keep),
                    ranked.end(), [](const auto& a, const auto& b) {
                      return a.second != b.second ? a.second > b.second : a.first > b.first;
                    });
  ranked.resize(keep);
  std::vector<TrackedEmail> out;
  out.reserve(ranked.size());
  for (const auto& [tid, count] : ranked) {
    auto e = impl_->tracked_by_tid(tid);
    if (!e) return failed(e.error());
    if (*e) out.push_back(std::move(**e));
  }
  return out;
}

}  // namespace crmr
