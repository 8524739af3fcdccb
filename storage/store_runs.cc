// Store: the report entries of each run (run history).
#include "storage/store_impl.h"

namespace crmr {
namespace {

constexpr char kEntryInsert[] =
    "INSERT OR REPLACE INTO run_entries (run_id, seq, entry_json) VALUES (?1, ?2, ?3)";
constexpr char kEntryList[] =
    "SELECT entry_json FROM run_entries WHERE run_id = ?1 ORDER BY seq";
constexpr char kEntryLastSeq[] =
    "SELECT coalesce(max(seq), 0) FROM run_entries WHERE run_id = ?1";
constexpr char kRunExists[] = "SELECT id FROM runs WHERE id = ?1";
constexpr char kRunLatestFinished[] =
    "SELECT id FROM runs WHERE finished <> '' ORDER BY id DESC LIMIT 1";
constexpr char kEntryPrune[] =
    "DELETE FROM run_entries WHERE run_id NOT IN "
    "(SELECT id FROM runs ORDER BY id DESC LIMIT ?1)";

}  // namespace

Result<std::int64_t> Store::resolve_run(std::int64_t run_id) const {
  auto q = impl_->conn.cached(run_id == 0 ? kRunLatestFinished : kRunExists);
  if (!q) return fail(q.error());
  if (run_id != 0) {
    if (auto st = (*q)->bind(1, run_id); !st) return fail(st.error());
  }
  auto row = (*q)->step();
  if (!row) return fail(row.error());
  if (!*row) {
    return fail(Code::StoreNotFound,
                impl_->path + ": " +
                    (run_id == 0 ? std::string("no finished run")
                                 : "no run " + std::to_string(run_id)),
                "list the runs with: crm-router report --list");
  }
  return (*q)->column_int64(0);
}

Status Store::add_run_entry(std::int64_t run_id, std::int64_t seq, const std::string& entry_json) {
  if (auto st = impl_->writable("record a report entry"); !st) return st;
  auto q = impl_->conn.cached(kEntryInsert);
  if (!q) return fail(q.error());
  Status st = (*q)->bind(1, run_id);
  if (st) st = (*q)->bind(2, seq);
  if (st) st = (*q)->bind(3, entry_json);
  if (st) st = (*q)->run();
  return st;
}

Status Store::for_each_run_entry(std::int64_t run_id,
                                 const std::function<Status(const std::string&)>& each) const {
  // A fresh statement: `each` may itself use the store's cached statements.
  auto q = impl_->conn.prepare(kEntryList);
  if (!q) return fail(q.error());
  if (auto st = q->bind(1, run_id); !st) return st;
  return db::for_each_row(*q, [&](const db::Statement& row) { return each(row.column_text(0)); });
}

Result<std::int64_t> Store::last_run_seq(std::int64_t run_id) const {
  auto q = impl_->conn.cached(kEntryLastSeq);
  if (!q) return fail(q.error());
  if (auto st = (*q)->bind(1, run_id); !st) return fail(st.error());
  auto row = (*q)->step();
  if (!row) return fail(row.error());
  return *row ? (*q)->column_int64(0) : 0;
}

Status Store::prune_run_entries(std::size_t keep) {
  if (auto st = impl_->writable("prune run history"); !st) return st;
  auto q = impl_->conn.cached(kEntryPrune);
  if (!q) return fail(q.error());
  if (auto st = (*q)->bind(1, static_cast<std::int64_t>(keep)); !st) return st;
  return (*q)->run();
}

}  // namespace crmr
