#include "storage/snapshot_memo.h"

namespace crmr {

namespace {

constexpr char kDataVersion[] = "PRAGMA data_version";

// The database's data_version as this connection's transaction sees it, or
// -1 when it cannot be read.
std::int64_t data_version(db::Connection& conn) {
  auto q = conn.cached(kDataVersion);
  if (!q) return -1;
  auto row = (*q)->step();
  return row && *row ? (*q)->column_int64(0) : -1;
}

}  // namespace

bool SnapshotMemo::usable(db::Connection& conn) {
  if (conn.depth() == 0) {
    clear();
    return false;
  }
  if (conn.transactions_ended() != transaction_) {
    // Another transaction: data_version, read inside it, differs from the one
    // read in the last when another connection has committed meanwhile.
    const std::int64_t version = data_version(conn);
    if (own_writes_ || version < 0 || version != data_version_) clear();
    transaction_ = conn.transactions_ended();
    data_version_ = version;
    own_writes_ = false;
  }
  const std::int64_t changes = conn.total_changes();
  if (changes_ >= 0 && changes != changes_) {
    // This connection wrote (perhaps in this transaction, which may still be
    // rolled back): nothing is kept until the transaction ends.
    clear();
    own_writes_ = true;
  }
  changes_ = changes;
  return !own_writes_;
}

void SnapshotMemo::clear() {
  hashes_.clear();
  records_.clear();
  tracked_.clear();
  data_version_ = -1;
}

const SnapshotMemo::HashTids* SnapshotMemo::find_hash(std::int32_t hash) const {
  auto it = hashes_.find(hash);
  return it == hashes_.end() ? nullptr : &it->second;
}

void SnapshotMemo::keep_hash(std::int32_t hash, HashTids tids) {
  if (hashes_.size() >= kMaxEntries) hashes_.clear();
  hashes_.insert_or_assign(hash, std::move(tids));
}

const std::vector<RecordRef>* SnapshotMemo::find_records(const std::string& address) const {
  auto it = records_.find(address);
  return it == records_.end() ? nullptr : &it->second;
}

void SnapshotMemo::keep_records(const std::string& address, const std::vector<RecordRef>& records) {
  if (records_.size() >= kMaxEntries) records_.clear();
  records_.insert_or_assign(address, records);
}

bool SnapshotMemo::find_tracked(char kind, const std::string& key, Tracked& out) const {
  auto it = tracked_.find(kind + key);
  if (it == tracked_.end()) return false;
  if (it->second) {
    out = *it->second;
  } else {
    out.reset();
  }
  return true;
}

void SnapshotMemo::keep_tracked(char kind, const std::string& key, const Tracked& email) {
  if (tracked_.size() >= kMaxEntries) tracked_.clear();
  tracked_.insert_or_assign(kind + key,
                            email ? std::make_unique<const TrackedEmail>(*email) : nullptr);
}

}  // namespace crmr
