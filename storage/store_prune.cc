// Store: `cache prune`, the removal of tracked e-mails older than the
// look-back window, and the compaction that gives their space back.
#include "core/base/crash_point.h"
#include "storage/store_impl.h"

namespace crmr {
namespace {

// Tracked e-mails last modified before ?1, a batch at a time.
constexpr char kPruneTracked[] =
    "DELETE FROM tracked_emails WHERE tid IN (SELECT tid FROM tracked_emails"
    " WHERE modified <> '' AND modified < ?1 LIMIT ?2)";
constexpr char kCountPrunable[] =
    "SELECT count(*) FROM tracked_emails WHERE modified <> '' AND modified < ?1";

}  // namespace

Result<std::int64_t> Store::prune_tracked(const std::string& before, std::int64_t batch) {
  if (auto st = impl_->writable("prune tracked e-mails"); !st) return fail(st.error());
  if (batch < 1)
    return fail(Code::StoreMisuse, "prune_tracked: batch must be positive");
  auto& conn = impl_->conn;
  std::int64_t removed = 0;
  // One transaction: each batch dirties pages all over the subject hash
  // index, which a commit per batch would write out again every time (at
  // 300,000 e-mails, 23 s rather than 6). Batches keep the statement's list of
  // rows to delete small; dirty pages beyond the page cache go to the log.
  // A crash leaves the cache as it was; pruning again does it all.
  auto tx = db::Transaction::begin(conn);
  if (!tx) return fail(tx.error());
  for (;;) {
    auto q = conn.cached(kPruneTracked);
    if (!q) return fail(q.error());
    Status st = (*q)->bind(1, before);
    if (st) st = (*q)->bind(2, batch);
    if (st) st = (*q)->run();  // subject hashes go with them (ON DELETE CASCADE)
    if (!st) return fail(st.error());
    const std::int64_t n = conn.changes();
    removed += n;
    crash_point("cache_prune.delete");
    if (n < batch) break;
  }
  if (auto c = tx->commit(); !c) return fail(c.error());
  crash_point("cache_prune.commit");
  if (removed == 0) return removed;
  // The freed pages back to the file system. VACUUM copies the database
  // through a temporary file (not memory: it is as large as the cache).
  Status st = conn.exec("PRAGMA temp_store = FILE");
  if (st) st = conn.exec("VACUUM");
  (void)conn.exec("PRAGMA temp_store = MEMORY");
  if (!st) return fail(st.error());
  return removed;
}

Result<std::int64_t> Store::count_prunable(const std::string& before) const {
  auto q = impl_->conn.cached(kCountPrunable);
  if (!q) return fail(q.error());
  if (auto st = (*q)->bind(1, before); !st) return fail(st.error());
  auto row = (*q)->step();
  if (!row) return fail(row.error());
  return *row ? (*q)->column_int64(0) : 0;
}

}  // namespace crmr
