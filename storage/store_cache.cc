// Store: the cache of CRM records and tracked e-mails (writes, sync's sweep
// after a full read, and the hot lookups the decision makes per message, all
// on cached statements).
#include <algorithm>
#include <unordered_map>

#include "core/base/normalize.h"
#include "storage/key_set.h"
#include "storage/store_impl.h"

namespace crmr {
namespace {

// A record is inserted, or (when its id is cached already) updated. Two
// statements rather than one upsert with RETURNING: SQLite runs RETURNING
// through a trigger and a temporary table, which costs a bulk load of new
// records (the common case) about as much as the insert itself.
constexpr char kInsertRecord[] =
    "INSERT INTO records (entity, id, name, active, filtering_method)"
    " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (entity, id) DO NOTHING";
constexpr char kUpdateRecord[] =
    "UPDATE records SET name = ?3, active = ?4, filtering_method = ?5"
    " WHERE entity = ?1 AND id = ?2 RETURNING rid";
constexpr char kClearAddresses[] = "DELETE FROM record_addresses WHERE rid = ?1";
constexpr char kAddAddress[] =
    "INSERT OR IGNORE INTO record_addresses (address, rid) VALUES (?1, ?2)";
constexpr char kDeleteRecord[] = "DELETE FROM records WHERE entity = ?1 AND id = ?2";
constexpr char kRecordIdsAfter[] =
    "SELECT id FROM records WHERE entity = ?1 AND id > ?2 ORDER BY id LIMIT ?3";
constexpr char kDeleteTracked[] = "DELETE FROM tracked_emails WHERE activity_id = ?1";
// ?1 keeps the shape of kRecordIdsAfter (the entity, here always "email").
constexpr char kTrackedIdsAfter[] =
    "SELECT activity_id FROM tracked_emails WHERE ?1 = 'email' AND activity_id > ?2"
    " ORDER BY activity_id LIMIT ?3";
constexpr char kSetFiltering[] =
    "UPDATE records SET filtering_method = ?3"
    " WHERE entity = ?1 AND id = ?2 AND filtering_method <> ?3";
constexpr char kFilteringDiffers[] =
    "SELECT count(*) FROM records WHERE entity = ?1 AND id = ?2 AND filtering_method <> ?3";
constexpr char kRecordsByAddress[] =
    "SELECT r.entity, r.id, r.name, r.active, r.filtering_method"
    " FROM record_addresses a JOIN records r ON r.rid = a.rid"
    " WHERE a.address = ?1 ORDER BY r.entity, r.id";

// As for records: insert, or update the one with the same activity id.
constexpr char kInsertTracked[] =
    "INSERT INTO tracked_emails (activity_id, message_id, tracking_token,"
    " conversation_index, conversation_key, subject, outgoing, regarding_entity,"
    " regarding_id, recipients, modified)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
    " ON CONFLICT (activity_id) DO NOTHING";
constexpr char kUpdateTracked[] =
    "UPDATE tracked_emails SET message_id = ?2, tracking_token = ?3,"
    " conversation_index = ?4, conversation_key = ?5, subject = ?6, outgoing = ?7,"
    " regarding_entity = ?8, regarding_id = ?9, recipients = ?10, modified = ?11"
    " WHERE activity_id = ?1 RETURNING tid";
constexpr char kClearHashes[] = "DELETE FROM tracked_subject_hashes WHERE tid = ?1";
constexpr char kClearAllHashes[] = "DELETE FROM tracked_subject_hashes";
constexpr char kAddHash[] =
    "INSERT OR IGNORE INTO tracked_subject_hashes (hash, tid) VALUES (?1, ?2)";
constexpr char kAllSubjects[] = "SELECT tid, subject FROM tracked_emails";

#define CRMR_TRACKED_COLUMNS                                                          \
  "SELECT activity_id, message_id, tracking_token, conversation_index, subject,"      \
  " outgoing, regarding_entity, regarding_id, recipients, modified FROM tracked_emails"
// Where several tracked e-mails match, the one with a regarding record wins,
// then the most recently cached.
#define CRMR_TRACKED_BEST " ORDER BY regarding_id <> '' DESC, tid DESC LIMIT 1"
constexpr char kTrackedByMessageId[] =
    CRMR_TRACKED_COLUMNS " WHERE message_id = ?1 AND message_id <> ''" CRMR_TRACKED_BEST;
constexpr char kTrackedByToken[] =
    CRMR_TRACKED_COLUMNS " WHERE tracking_token = ?1 AND tracking_token <> ''" CRMR_TRACKED_BEST;
constexpr char kTrackedByConversation[] = CRMR_TRACKED_COLUMNS
    " WHERE conversation_key = ?1 AND conversation_key <> ''" CRMR_TRACKED_BEST;
constexpr char kTrackedByTid[] = CRMR_TRACKED_COLUMNS " WHERE tid = ?1";
#undef CRMR_TRACKED_COLUMNS
#undef CRMR_TRACKED_BEST

// The sweep after a full read walks the cached ids this many at a time.
constexpr std::int64_t kSweepBatch = 1000;

TrackedEmail read_tracked(const db::Statement& s) {
  TrackedEmail e;
  e.activity_id = s.column_text(0);
  e.message_id = s.column_text(1);
  e.tracking_token = s.column_text(2);
  e.conversation_index = s.column_text(3);
  e.subject = s.column_text(4);
  e.outgoing = s.column_bool(5);
  e.regarding_entity = s.column_text(6);
  e.regarding_id = s.column_text(7);
  e.recipients = split_list(s.column_text(8));
  e.modified = s.column_text(9);
  return e;
}

std::string lower_ascii(std::string_view in) {
  std::string out(in);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
  return out;
}

// The record's own transaction, or none inside the caller's (cache import,
// sync): then the caller's rollback covers a failure midway, and a record
// costs two statements (SAVEPOINT, RELEASE) fewer.
Result<std::optional<db::Transaction>> own_transaction(db::Connection& conn) {
  if (conn.depth() > 0) return std::optional<db::Transaction>{};
  auto tx = db::Transaction::begin(conn);
  if (!tx) return fail(tx.error());
  return std::optional<db::Transaction>{std::move(*tx)};
}

// Inserts a row with `insert` (ON CONFLICT DO NOTHING) or, when the key is
// there already, updates it with `update` (RETURNING the row id); `bind`
// binds the same parameters to either. The row id, and whether it is new.
template <class Bind>
Result<std::pair<std::int64_t, bool>> write_row(db::Connection& conn, const char* insert,
                                                const char* update, const Bind& bind) {
  {
    auto q = conn.cached(insert);
    if (!q) return fail(q.error());
    if (auto st = bind(**q); !st) return fail(st.error());
    if (auto st = (*q)->run(); !st) return fail(st.error());
    if (conn.changes() == 1) return std::pair{conn.last_insert_rowid(), true};
  }
  auto q = conn.cached(update);
  if (!q) return fail(q.error());
  if (auto st = bind(**q); !st) return fail(st.error());
  auto row = (*q)->step();
  if (!row) return fail(row.error());
  if (!*row) return fail(Code::StoreSqlite, "a row neither inserted nor updated");
  return std::pair{(*q)->column_int64(0), false};
}

Status invalid(std::string message) {
  return fail(Code::StoreInvalidRecord, std::move(message));
}

// The cached ids of `entity` that `seen` does not hold, in id order: `each`
// gets them one batch at a time, after the batch's read has ended (so it may
// delete them). Stops at the first error.
Status for_each_unseen(db::Connection& conn, const std::string& entity, const Store::SeenFn& seen,
                       const std::function<Status(const std::vector<std::string>&)>& each) {
  std::string after;
  for (;;) {
    std::vector<std::string> batch;
    {
      auto q = conn.cached(entity == kTrackedEntity ? kTrackedIdsAfter : kRecordIdsAfter);
      if (!q) return fail(q.error());
      Status st = (*q)->bind(1, entity);
      if (st) st = (*q)->bind(2, after);
      if (st) st = (*q)->bind(3, kSweepBatch);
      if (!st) return st;
      auto ids = db::collect_rows(**q, [](const db::Statement& row) { return row.column_text(0); });
      if (!ids) return fail(ids.error());
      batch = std::move(*ids);
    }
    if (batch.empty()) return {};
    after = batch.back();
    std::vector<std::string> unseen;
    for (auto& id : batch) {
      auto known = seen(id);
      if (!known) return fail(known.error());
      if (!*known) unseen.push_back(std::move(id));
    }
    if (!unseen.empty())
      if (auto st = each(unseen); !st) return st;
    if (static_cast<std::int64_t>(batch.size()) < kSweepBatch) return {};
  }
}

}  // namespace

Status Store::Impl::put_subject_hashes(std::int64_t tid, const std::string& subject,
                                       const OrgSettings& org, bool clear) {
  if (clear) {
    auto q = conn.cached(kClearHashes);
    if (!q) return fail(q.error());
    if (auto st = (*q)->bind(1, tid); !st) return st;
    if (auto st = (*q)->run(); !st) return st;
  }
  for (std::int32_t hash : subject_hashes(subject, org.hash_filter_keywords, org.hash_max_count)) {
    auto q = conn.cached(kAddHash);
    if (!q) return fail(q.error());
    Status st = (*q)->bind(1, static_cast<std::int64_t>(hash));
    if (st) st = (*q)->bind(2, tid);
    if (st) st = (*q)->run();
    if (!st) return st;
  }
  return {};
}

Status Store::Impl::rehash_subjects(const OrgSettings& org) {
  std::vector<std::pair<std::int64_t, std::string>> subjects;
  {
    auto q = conn.cached(kAllSubjects);
    if (!q) return fail(q.error());
    auto rows = db::collect_rows(**q, [](const db::Statement& row) {
      return std::pair{row.column_int64(0), row.column_text(1)};
    });
    if (!rows) return fail(rows.error());
    subjects = std::move(*rows);
  }
  {
    auto q = conn.cached(kClearAllHashes);
    if (!q) return fail(q.error());
    if (auto st = (*q)->run(); !st) return st;
  }
  for (const auto& [tid, subject] : subjects) {
    if (auto st = put_subject_hashes(tid, subject, org, false); !st) return st;
  }
  return {};
}

Status Store::upsert_record(const CrmRecord& r) {
  if (auto st = impl_->writable("store a record"); !st) return st;
  if (r.entity.empty()) return invalid("record " + r.id + " has no entity");
  if (r.id.empty()) return invalid(r.entity + " record has no id");
  auto& conn = impl_->conn;
  auto tx = own_transaction(conn);
  if (!tx) return fail(tx.error());
  // Bound without a copy: `r` and the locals below outlive every statement
  // that runs with them.
  auto bind_record = [&](db::Statement& s) {
    Status st = s.bind_static(1, r.entity);
    if (st) st = s.bind_static(2, r.id);
    if (st) st = s.bind_static(3, r.name);
    if (st) st = s.bind(4, r.active);
    if (st) st = s.bind(5, r.filtering_method);
    return st;
  };
  auto written = write_row(conn, kInsertRecord, kUpdateRecord, bind_record);
  if (!written) return fail(written.error());
  const auto [rid, inserted] = *written;  // a new row has no addresses to clear
  if (!inserted) {
    auto q = conn.cached(kClearAddresses);
    if (!q) return fail(q.error());
    if (auto st = (*q)->bind(1, rid); !st) return st;
    if (auto st = (*q)->run(); !st) return st;
  }
  for (const auto& address : r.addresses) {
    std::string normal = normalize_address(address);
    if (normal.empty()) continue;
    auto q = conn.cached(kAddAddress);
    if (!q) return fail(q.error());
    Status st = (*q)->bind_static(1, normal);
    if (st) st = (*q)->bind(2, rid);
    if (st) st = (*q)->run();
    if (!st) return st;
  }
  return *tx ? (*tx)->commit() : Status{};
}

Status Store::delete_record(const std::string& entity, const std::string& id) {
  if (auto st = impl_->writable("delete a record"); !st) return st;
  auto q = impl_->conn.cached(kDeleteRecord);
  if (!q) return fail(q.error());
  Status st = (*q)->bind(1, entity);
  if (st) st = (*q)->bind(2, id);
  if (st) st = (*q)->run();  // addresses go with it (ON DELETE CASCADE)
  return st;
}

Status Store::delete_tracked(const std::string& activity_id) {
  if (auto st = impl_->writable("delete a tracked e-mail"); !st) return st;
  auto q = impl_->conn.cached(kDeleteTracked);
  if (!q) return fail(q.error());
  Status st = (*q)->bind(1, activity_id);
  if (st) st = (*q)->run();  // subject hashes go with it (ON DELETE CASCADE)
  return st;
}

Result<std::int64_t> Store::sweep_unseen(const std::string& entity, const SeenFn& seen) {
  if (auto st = impl_->writable("sweep records"); !st) return fail(st.error());
  auto tx = db::Transaction::begin(impl_->conn);
  if (!tx) return fail(tx.error());
  std::int64_t deleted = 0;
  Status st = for_each_unseen(impl_->conn, entity, seen, [&](const std::vector<std::string>& ids) {
    for (const auto& id : ids) {
      if (auto d = entity == kTrackedEntity ? delete_tracked(id) : delete_record(entity, id); !d) return d;
      ++deleted;
    }
    return Status{};
  });
  if (!st) return fail(st.error());
  if (auto c = tx->commit(); !c) return fail(c.error());
  return deleted;
}

Result<std::int64_t> Store::count_unseen(const std::string& entity, const SeenFn& seen) const {
  std::int64_t unseen = 0;
  Status st = for_each_unseen(impl_->conn, entity, seen, [&](const std::vector<std::string>& ids) {
    unseen += static_cast<std::int64_t>(ids.size());
    return Status{};
  });
  if (!st) return fail(st.error());
  return unseen;
}

Result<std::unique_ptr<SeenKeys>> Store::open_id_set() const {
  auto set = KeySet::open_temporary();
  if (!set) return std::unexpected(set.error());
  return std::unique_ptr<SeenKeys>(std::move(*set));
}

Result<std::int64_t> Store::set_filtering_methods(const std::string& entity,
                                                  const std::map<std::string, int>& by_id) {
  if (auto st = impl_->writable("set filtering methods"); !st) return fail(st.error());
  auto& conn = impl_->conn;
  auto tx = db::Transaction::begin(conn);
  if (!tx) return fail(tx.error());
  std::int64_t changed = 0;
  for (const auto& [id, method] : by_id) {
    auto q = conn.cached(kSetFiltering);
    if (!q) return fail(q.error());
    Status st = (*q)->bind(1, entity);
    if (st) st = (*q)->bind(2, id);
    if (st) st = (*q)->bind(3, method);
    if (st) st = (*q)->run();
    if (!st) return fail(st.error());
    changed += conn.changes();
  }
  if (auto c = tx->commit(); !c) return fail(c.error());
  return changed;
}

Result<std::int64_t> Store::count_filtering_changes(const std::string& entity,
                                                    const std::map<std::string, int>& by_id) const {
  std::int64_t differ = 0;
  for (const auto& [id, method] : by_id) {
    auto q = impl_->conn.cached(kFilteringDiffers);
    if (!q) return fail(q.error());
    Status st = (*q)->bind(1, entity);
    if (st) st = (*q)->bind(2, id);
    if (st) st = (*q)->bind(3, method);
    if (!st) return fail(st.error());
    auto row = (*q)->step();
    if (!row) return fail(row.error());
    if (*row) differ += (*q)->column_int64(0);
  }
  return differ;
}

Status Store::upsert_tracked(const TrackedEmail& e) {
  if (auto st = impl_->writable("store a tracked e-mail"); !st) return st;
  if (e.activity_id.empty()) return invalid("tracked e-mail has no activity id");
  // The settings as the store keeps them, not a copy per e-mail (a bulk load
  // writes millions).
  auto kept = impl_->read_org();
  if (!kept) return fail(kept.error());
  const OrgSettings& org = **kept;
  std::vector<std::string> recipients;
  for (const auto& a : e.recipients)
    if (auto n = normalize_address(a); !n.empty()) recipients.push_back(std::move(n));
  auto& conn = impl_->conn;
  auto tx = own_transaction(conn);
  if (!tx) return fail(tx.error());
  const std::string message_id = normalize_message_id(e.message_id);
  const std::string token = normalize_token(e.tracking_token);
  const std::string conversation = conversation_key(e.conversation_index).value_or("");
  const std::string recipient_list = join_list(recipients);
  // Bound without a copy, as for records.
  auto bind_tracked = [&](db::Statement& s) {
    Status st = s.bind_static(1, e.activity_id);
    if (st) st = s.bind_static(2, message_id);
    if (st) st = s.bind_static(3, token);
    if (st) st = s.bind_static(4, e.conversation_index);
    if (st) st = s.bind_static(5, conversation);
    if (st) st = s.bind_static(6, e.subject);
    if (st) st = s.bind(7, e.outgoing);
    if (st) st = s.bind_static(8, e.regarding_entity);
    if (st) st = s.bind_static(9, e.regarding_id);
    if (st) st = s.bind_static(10, recipient_list);
    if (st) st = s.bind_static(11, e.modified);
    return st;
  };
  auto written = write_row(conn, kInsertTracked, kUpdateTracked, bind_tracked);
  if (!written) return fail(written.error());
  const auto [tid, inserted] = *written;  // a new row has no subject hashes to clear
  if (auto st = impl_->put_subject_hashes(tid, e.subject, org, !inserted); !st) return st;
  return *tx ? (*tx)->commit() : Status{};
}

std::vector<RecordRef> Store::records_by_address(std::string_view address) const {
  std::vector<RecordRef> out;
  const std::string normal = normalize_address(address);
  if (normal.empty()) return out;
  const bool memo = impl_->memo.usable(impl_->conn);
  if (memo)
    if (const auto* known = impl_->memo.find_records(normal)) return *known;
  auto q = impl_->conn.cached(kRecordsByAddress);
  if (!q) {
    impl_->lookup_failed(q.error());
    return out;
  }
  Status st = (*q)->bind(1, normal);
  if (st) st = db::for_each_row(**q, [&](const db::Statement& s) -> Status {
    out.push_back(RecordRef{s.column_text(0), s.column_text(1), s.column_text(2),
                            s.column_bool(3), s.column_int(4)});
    return {};
  });
  if (!st) {
    impl_->lookup_failed(st.error());  // what it read is not the answer
    out.clear();
  } else if (memo) {
    impl_->memo.keep_records(normal, out);
  }
  return out;
}

namespace {

// The best tracked e-mail `sql` finds for `key` (its one parameter).
template <class Key>
Result<std::optional<TrackedEmail>> read_one(db::Connection& conn, const char* sql,
                                             const Key& key) {
  auto q = conn.cached(sql);
  if (!q) return fail(q.error());
  if (auto st = (*q)->bind(1, key); !st) return fail(st.error());
  auto row = (*q)->step();
  if (!row) return fail(row.error());
  if (!*row) return std::optional<TrackedEmail>{};
  return std::optional<TrackedEmail>{read_tracked(**q)};
}

// As read_one, remembered for the snapshot under `kind` (one letter per
// statement); a failure is kept as the store's lookup error and reads as none.
std::optional<TrackedEmail> tracked_one(Store::Impl& impl, char kind, const char* sql,
                                        const std::string& key) {
  if (key.empty()) return std::nullopt;
  const bool memo = impl.memo.usable(impl.conn);
  std::optional<TrackedEmail> known;
  if (memo && impl.memo.find_tracked(kind, key, known)) return known;
  auto found = read_one(impl.conn, sql, key);
  if (!found) {
    impl.lookup_failed(found.error());
    return std::nullopt;
  }
  if (memo) impl.memo.keep_tracked(kind, key, *found);
  return std::move(*found);
}

}  // namespace

std::optional<TrackedEmail> Store::tracked_by_message_id(std::string_view id) const {
  return tracked_one(*impl_, 'm', kTrackedByMessageId, normalize_message_id(id));
}

std::optional<TrackedEmail> Store::tracked_by_token(std::string_view token) const {
  return tracked_one(*impl_, 't', kTrackedByToken, normalize_token(token));
}

std::optional<TrackedEmail> Store::tracked_by_conversation(std::string_view key) const {
  return tracked_one(*impl_, 'c', kTrackedByConversation, lower_ascii(key));
}

Result<std::optional<TrackedEmail>> Store::Impl::tracked_by_tid(std::int64_t tid) {
  return read_one(conn, kTrackedByTid, tid);
}

}  // namespace crmr
