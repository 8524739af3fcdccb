// What the simulated CRM holds, in SQLite (--db): one table per entity set
// (id, JSON document, modifiedon, version; e-mails and attachments with
// generated columns for the fields tests look at), the activity parties, and a
// log of deleted records for change tracking. One connection, guarded by
// `mutex()`: callers lock it for a whole request (or a whole $batch) and use
// savepoints for all-or-nothing units. SQLite failures throw StoreFailure; the
// API dispatcher is the one place that catches it (answering 500).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

#include "sim_entities.h"
#include "sim_types.h"

struct sqlite3;
struct sqlite3_stmt;

namespace crmr::sim {

struct StoreFailure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

using SqlValue = std::variant<std::nullptr_t, std::int64_t, double, std::string>;

struct StoredRow {
  std::int64_t rowid = 0;
  std::int64_t version = 0;
  json data;
};

class SimStore {
 public:
  explicit SimStore(const std::string& path);  // throws StoreFailure
  ~SimStore();
  SimStore(const SimStore&) = delete;
  SimStore& operator=(const SimStore&) = delete;

  std::mutex& mutex() { return mutex_; }

  // Transactions and savepoints; the caller holds mutex().
  void exec(const std::string& sql);
  void savepoint(const std::string& name) { exec("SAVEPOINT " + name); }
  void release(const std::string& name) { exec("RELEASE " + name); }
  void rollback_to(const std::string& name) {
    exec("ROLLBACK TO " + name);
    exec("RELEASE " + name);
  }

  bool exists(const EntityInfo& entity, const std::string& id);
  std::optional<json> get(const EntityInfo& entity, const std::string& id);
  // Insert or replace the document; stamps modifiedon, createdon (first time)
  // and versionnumber, and bumps the change-tracking version.
  json put(const EntityInfo& entity, const std::string& id, json data);
  // Removes the record (e-mails: with parties and attachments) and logs it.
  bool remove(const EntityInfo& entity, const std::string& id);

  // Rows matching `where` (SQL over the table's columns, `?` bound from
  // `binds`; empty = all), rowid > after_rowid, version > min_version, in
  // rowid order, at most `limit` (<0: no limit).
  std::vector<StoredRow> select(const EntityInfo& entity, const std::string& where,
                                const std::vector<SqlValue>& binds, std::int64_t after_rowid,
                                std::int64_t min_version, std::int64_t limit);
  // What a collection read serves: select() and then, for a full read
  // (min_version 0), the generated rows that match (sim_generate.cc).
  std::vector<StoredRow> select_served(const EntityInfo& entity, const std::string& where,
                                       const std::vector<SqlValue>& binds,
                                       std::int64_t after_rowid, std::int64_t min_version,
                                       std::int64_t limit);
  // Ids deleted from the entity's table after `version`.
  std::vector<std::string> deleted_since(const EntityInfo& entity, std::int64_t version);
  std::int64_t current_version() const { return version_; }

  // Received-mail duplicate constraint: an incoming e-mail with this messageid.
  std::optional<std::string> incoming_email_by_messageid(const std::string& messageid);

  void add_party(const std::string& activityid, int mask, const std::string& partyid,
                 const std::string& partytype, const std::string& addressused);
  json parties_of(const std::string& activityid);
  // The parties of `activityid` matching `where` (SQL over the parties
  // table's columns; empty = all), as parties_of() shows them.
  std::vector<json> parties_where(const std::string& activityid, const std::string& where,
                                  const std::vector<SqlValue>& binds);
  // Serves `contacts` generated contacts and `emails` generated tracked
  // e-mails (modified over the last `days` days) besides the stored records,
  // made when read (sim_generate.cc): what a benchmark of sync needs, neither
  // stored here nor in the repository.
  void generate(std::int64_t contacts, std::int64_t emails, int days);
  json attachments_of(const std::string& activityid, bool with_body);

 private:
  struct Generated;  // sim_generate.cc

  // The generated record `id` of `entity`, if there is one.
  std::optional<json> generated_row(const EntityInfo& entity, const std::string& id) const;
  // Appends the generated rows matching `where` after `after_rowid` to
  // `rows` until it holds `limit` (<0: all).
  void select_generated(const EntityInfo& entity, const std::string& where,
                        const std::vector<SqlValue>& binds, std::int64_t after_rowid,
                        std::int64_t limit, std::vector<StoredRow>& rows);
  // The parties of generated e-mail `activityid` matching `where` into
  // `out`; false when it is not a generated e-mail.
  bool generated_parties(const std::string& activityid, const std::string& where,
                         const std::vector<SqlValue>& binds, std::vector<json>& out);
  // parties_where() over `table` (the stored parties or the generated ones).
  std::vector<json> parties_in(const std::string& table, const std::string& activityid,
                               const std::string& where, const std::vector<SqlValue>& binds);

  sqlite3_stmt* prepare(const std::string& sql);  // cached; reset before return
  void bind(sqlite3_stmt* stmt, int index, const SqlValue& value);
  void step_done(sqlite3_stmt* stmt);
  [[noreturn]] void raise(const std::string& what);

  sqlite3* db_ = nullptr;
  std::mutex mutex_;
  std::map<std::string, sqlite3_stmt*> statements_;
  std::int64_t version_ = 0;
  std::shared_ptr<Generated> generated_;
};

// The generated columns of `table` (e-mails, attachments) for its CREATE
// TABLE: ",name TYPE GENERATED ALWAYS AS (...)..." or "".
std::string generated_columns(const std::string& table);

}  // namespace crmr::sim
