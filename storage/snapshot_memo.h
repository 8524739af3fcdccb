// Answers of the decision's cache lookups, remembered while the database
// stays as it is.
//
// A lookup in a big cache walks a deep index (a million tracked e-mails give
// the subject-hash index four million entries), and a run asks the same
// questions again and again: replies repeat their thread's subject words and
// Message-IDs and addresses, mailing lists their tags. Inside a read transaction the answer
// cannot change, so it is kept. When the transaction ends (a worker's reader
// renews its snapshot every WorkerCache::kDecisionsPerSnapshot decisions) the
// next one asks SQLite's data_version whether another connection committed
// meanwhile: if none did, the answers still hold; otherwise they are
// forgotten. Nothing is kept outside a transaction (each lookup reads whatever
// is committed then, as without the memo), nor in a transaction in which the
// connection itself writes (the writes could still be rolled back). Each
// table is bounded: when full it starts over, so memory stays flat however
// long the run.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/cache_view.h"
#include "storage/db.h"

namespace crmr {

class SnapshotMemo {
 public:
  // Entries per table before it starts over.
  static constexpr std::size_t kMaxEntries = 1 << 13;

  // Call before using the tables: true when they may be read and filled (the
  // connection is in a transaction it has not written in, and the database
  // is as it was when they were filled); they are emptied when that no
  // longer holds.
  bool usable(db::Connection& conn);

  // Subject hash -> its tracked e-mails' tids, newest first; std::nullopt
  // for a hash held by more e-mails than the lookup reads (a common word).
  using HashTids = std::optional<std::vector<std::int64_t>>;
  const HashTids* find_hash(std::int32_t hash) const;
  void keep_hash(std::int32_t hash, HashTids tids);

  // The best tracked e-mail for a key of one kind (Message-ID, tracking
  // token, conversation), or std::nullopt when none is cached.
  // The records holding a normalised address, as records_by_address
  // answers; nullptr when not known yet.
  const std::vector<RecordRef>* find_records(const std::string& address) const;
  void keep_records(const std::string& address, const std::vector<RecordRef>& records);

  using Tracked = std::optional<TrackedEmail>;
  // False when not known yet; otherwise true, with the answer in `out`.
  bool find_tracked(char kind, const std::string& key, Tracked& out) const;
  void keep_tracked(char kind, const std::string& key, const Tracked& email);

 private:
  void clear();

  // What the tables were filled under: the connection's transaction, the
  // database's data_version then (-1: unknown), the connection's changes
  // when last asked (-1: never), and whether it wrote in this transaction.
  std::uint64_t transaction_ = ~std::uint64_t{0};
  std::int64_t data_version_ = -1;
  std::int64_t changes_ = -1;
  bool own_writes_ = false;
  std::unordered_map<std::int32_t, HashTids> hashes_;
  std::unordered_map<std::string, std::vector<RecordRef>> records_;
  // kind + key -> the e-mail, nullptr for none (a miss, the common answer,
  // costs no TrackedEmail).
  std::unordered_map<std::string, std::unique_ptr<const TrackedEmail>> tracked_;
};

}  // namespace crmr
