// Store: the SQLite database of crm-router (state and cache). Schema with
// versioned migrations, WAL. It is the CacheView the decision reads, and it
// keeps the ledger of processed keys, the outbox, run history and quarantine.
//
// Failure: every method returns a Result/Status; SQLite errors become Error
// with Scope::Run (the database is unusable) in exactly one place (db.cc).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/cache_reader.h"
#include "core/cache_view.h"
#include "core/crm_record.h"
#include "core/outbox_message.h"
#include "core/push_outbox.h"
#include "core/sync_cache.h"
#include "core/result.h"
#include "core/run_journal.h"
#include "core/state_store.h"

namespace crmr {

enum class OpenMode {
  ReadWrite,  // create if missing, migrate to the current schema
  ReadOnly,   // never writes (dry run); a missing file reads as an empty cache
};

// State keys (state_get/state_set) of the cache's freshness: when the last
// sync of every entity succeeded (UTC ISO 8601; the cache's age), and when the
// last sync failed and why ("TIME\tERROR"; removed by a sync that succeeds).
inline constexpr char kLastSyncKey[] = "cache.synced_at";
inline constexpr char kLastSyncErrorKey[] = "sync.last_error";

struct RunRecord {
  std::int64_t id = 0;
  std::string command;
  std::string started;
  std::string finished;
  std::string totals_json;
  std::string status;       // ok, partial, failed ("" for runs before schema 4 or unfinished)
  std::string error;        // why it is partial or failed
  std::string report_json;  // the run object (mailboxes with their status), "" if unfinished
};

struct QuarantineItem {
  std::int64_t id = 0;
  std::string key;
  std::string source;
  std::string position;
  std::string error;
  std::string when;
  // What the ledger and the outbox hold for its key (quarantine_list()):
  std::string message_id;      // its Message-ID as parsed; empty when none
  std::string ledger_outcome;  // "quarantined": it could not be parsed;
                               // "failed": the CRM refused it for good
  std::string decision_json;   // the decision the CRM refused (report entry
                               // JSON); empty for a message never parsed
  std::int64_t bytes = 0;      // size of the raw message
};

// What the cache holds: enough to tell whether it can decide at all, and how
// old it is (`check`, the guard of the routing commands, the run summary).
struct CacheInfo {
  bool database_exists = true;  // false: opened read-only, and the file does not exist
  bool has_org = false;         // organisation settings stored (sync or cache import)
  std::map<std::string, std::int64_t> count;   // systemuser queue contact account lead email
  std::map<std::string, std::int64_t> active;  // the same, active records only (not email)
  std::string synced_at;    // ISO 8601 UTC of the last `sync` that wrote it; empty: never
  std::string imported_at;  // ISO 8601 UTC of the last `cache import`; empty: never

  // Organisation settings and at least one active system user or queue:
  // without them every message would be tossed as NoRecipientMatch.
  bool can_decide() const;
  // The newer of synced_at and imported_at; empty when neither.
  std::string refreshed_at() const;
};

enum class CacheRefresh { Sync, Import };

// How much cache_info() counts: every entity (`check`), or only what routing
// needs (users and queues), which stays cheap with millions of contacts and
// tracked e-mails cached.
enum class CacheCounts { All, Routing };

// A selection of ledger rows (`forget`, `explain`). Every non-empty list
// narrows it: a row must match one value of each. `message_ids` and `keys`
// together name messages: a row matches when its Message-ID or its key is
// among them. An empty filter selects every row.
struct LedgerFilter {
  std::optional<std::int64_t> run_id;    // the run that first recorded the key
  std::vector<std::string> outcomes;     // pushed queued duplicate tossed quarantined failed
  std::vector<std::string> reasons;      // e.g. NoRecipientMatch
  std::vector<std::string> message_ids;  // normalised (no angle brackets)
  std::vector<std::string> keys;
};

// One ledger row: what the first run that saw a key decided (the outcome
// moves on to pushed/failed when the outbox is delivered).
struct LedgerRow {
  std::string key;
  std::string source;
  std::string position;
  std::string message_id;
  std::string outcome;
  std::string reason;
  std::int64_t run_id = 0;
  std::string at;
};

// The engine's ports (core/run_journal.h, core/state_store.h, and
// core/cache_reader.h for a read-only connection of a worker; core/push_outbox.h
// and core/sync_cache.h for the push and sync runs) and the CacheView.
class Store : public CacheReader, public RunJournal, public StateStore, public PushOutbox,
              public SyncCache {
 public:
  static Result<std::unique_ptr<Store>> open(const std::string& path, OpenMode mode);
  ~Store() override;
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  int schema_version() const;

  // CacheView
  OrgSettings org() const override;
  std::vector<RecordRef> records_by_address(std::string_view address) const override;
  std::optional<TrackedEmail> tracked_by_message_id(std::string_view id) const override;
  std::optional<TrackedEmail> tracked_by_token(std::string_view token) const override;
  std::optional<TrackedEmail> tracked_by_conversation(std::string_view key) const override;
  std::vector<TrackedEmail> tracked_by_subject_hashes(
      const std::vector<std::int32_t>& hashes) const override;
  bool ledger_has(std::string_view key) const override;
  // The first error a CacheView lookup met (they answer "not found" then).
  Status status() const override;

  // What the cache holds (counts, organisation settings, when refreshed).
  // With CacheCounts::Routing, `count` and `active` hold users and queues only.
  Result<CacheInfo> cache_info(CacheCounts what = CacheCounts::All) const;
  // Record that `how` has just written the cache (its time is cache_info()'s
  // synced_at / imported_at). Part of the open transaction, if any.
  Status note_cache_refresh(CacheRefresh how);

  // Cache writes (cache import, sync). Upsert by id.
  Status put_org(const OrgSettings& org) override;
  // Each record (with its addresses or subject hashes) is its own transaction,
  // unless one is open: then a failure midway is undone by its rollback.
  Status upsert_record(const CrmRecord& r) override;
  Status upsert_tracked(const TrackedEmail& e) override;
  Status delete_record(const std::string& entity, const std::string& id) override;
  Status delete_tracked(const std::string& activity_id);
  Result<std::map<std::string, std::int64_t>> cache_stats() const;  // entity -> count, + ledger/outbox/quarantine/runs
  // `cache prune`: removes the tracked e-mails last modified before `before`
  // (UTC ISO 8601; those with no modification time stay) in one transaction
  // (all or none), then VACUUMs the file to give the space back. Returns how
  // many were removed. Not inside an open transaction. `batch`: rows per
  // DELETE statement (bounds SQLite's list of rows to delete), not a commit.
  Result<std::int64_t> prune_tracked(const std::string& before, std::int64_t batch = 50000);
  // How many prune_tracked would remove (dry run).
  Result<std::int64_t> count_prunable(const std::string& before) const;

  // Sync's sweep after a full read of `entity`: deletes the cached records of
  // `entity` (kTrackedEntity: the tracked e-mails, by activity id) that
  // `seen(id)` says the read did not return, walking them in id
  // order a batch at a time (memory stays bounded). One transaction (nested
  // in the open one if any): an error from `seen` or SQLite deletes nothing.
  // Returns how many were deleted.
  using SeenFn = SyncCache::SeenFn;
  Result<std::int64_t> sweep_unseen(const std::string& entity, const SeenFn& seen) override;
  // How many records sweep_unseen would delete (dry run: reads only).
  Result<std::int64_t> count_unseen(const std::string& entity, const SeenFn& seen) const override;
  // Sets the filtering method of cached records of `entity` by id (sync of
  // usersettingscollection); ids not in the cache are skipped. One
  // transaction. Returns how many cached records had another method.
  Result<std::int64_t> set_filtering_methods(const std::string& entity,
                                             const std::map<std::string, int>& by_id) override;
  // How many records set_filtering_methods would change (dry run: reads only).
  Result<std::int64_t> count_filtering_changes(const std::string& entity,
                                               const std::map<std::string, int>& by_id) const override;
  // A KeySet (storage/key_set.h): a temporary SQLite file of its own.
  Result<std::unique_ptr<SeenKeys>> open_id_set() const override;

  // Transactions: group many writes (batches of messages) into one commit.
  // Nested begin() calls are counted; only the outermost commits.
  Status begin() override;
  Status commit() override;
  void rollback() noexcept override;
  // A bulk load (`cache import`, store_bulk_load.cc) writes only upserts, in
  // transactions of many rows. While on, SQLite skips its foreign-key checks
  // (the store writes addresses and subject hashes only for the rows it has
  // just written; deleting a record would not cascade meanwhile, and none is
  // deleted), and the write-ahead log is copied into the database file by
  // bulk_load_checkpoint() rather than after every commit. Between
  // transactions only; ending it copies the log.
  Status set_bulk_load(bool on);
  // After a commit of a bulk load: copies the write-ahead log into the
  // database once the log is as large as the database, so that a load copies
  // each page a few times in all rather than at every commit (a commit is
  // durable in the log already: this changes nothing a crash could see).
  Status bulk_load_checkpoint();

  // Ledger, outbox and quarantine for one message, atomically.
  Status record_processed(std::int64_t run_id, const ProcessedMessage& m) override;

  // Outbox
  Result<std::vector<OutboxMessage>> outbox_pending(std::size_t limit) const;
  // Pending items with id > `after_id`, in id order (push pages through the
  // outbox with it, so items left pending are not read twice in one run).
  Result<std::vector<OutboxMessage>> outbox_pending_after(std::int64_t after_id,
                                                       std::size_t limit) const override;
  Result<std::int64_t> outbox_pending_count() const override;
  Status outbox_done(std::int64_t id, const std::string& activity_id) override;
  Status outbox_failed(std::int64_t id, const std::string& error, bool permanent) override;

  // Runs
  Result<std::int64_t> begin_run(const std::string& command, const std::string& started);
  Status finish_run(std::int64_t run_id, const std::string& finished,
                    const std::string& totals_json, const std::string& report_json);
  Result<std::vector<RunRecord>> list_runs(std::size_t limit) const;
  // The outcome of a run as a whole: "ok", "partial" or "failed", and why.
  Status set_run_status(std::int64_t run_id, const std::string& status, const std::string& error);
  // The run object (see run_to_json in core/report/report.h) stored by finish_run; 0 = latest.
  Result<std::string> run_report_json(std::int64_t run_id) const;
  // The id of the latest finished run when `run_id` is 0, else `run_id` if it exists.
  Result<std::int64_t> resolve_run(std::int64_t run_id) const;
  // One report entry (JSON) of a run, in order; part of the open transaction.
  Status add_run_entry(std::int64_t run_id, std::int64_t seq,
                       const std::string& entry_json) override;
  // Every entry of a run in order; stops at the first error `each` returns.
  Status for_each_run_entry(std::int64_t run_id,
                            const std::function<Status(const std::string&)>& each) const;
  // The highest seq of a run's entries (0: none yet).
  Result<std::int64_t> last_run_seq(std::int64_t run_id) const override;
  // Drop the entries of all but the newest `keep` runs (their totals stay).
  Status prune_run_entries(std::size_t keep);

  // Key/value state (mailbox cursors, sync watermarks), in the open
  // transaction if any. A missing key reads as std::nullopt.
  Result<std::optional<std::string>> state_get(const std::string& key) const override;
  Status state_set(const std::string& key, const std::string& value) override;
  // Removes `key` (no error when it is not there).
  Status state_delete(const std::string& key);

  // POP3: the UIDLs of configured mailbox `mailbox` already processed.
  Result<std::vector<std::string>> pop3_seen(const std::string& mailbox) const override;
  Status pop3_mark_seen(const std::string& mailbox,
                        const std::vector<std::string>& uidls) override;
  // Forget UIDLs (messages no longer on the server).
  Status pop3_forget(const std::string& mailbox, const std::vector<std::string>& uidls) override;

  // Quarantine. quarantine_remove() also forgets the key in the ledger (and
  // the outbox row the CRM refused), so the message can be processed again;
  // inside an open transaction it is undone by a rollback with the rest.
  Result<std::vector<QuarantineItem>> quarantine_list() const;
  Result<std::string> quarantine_raw(std::int64_t id) const;
  Status quarantine_remove(std::int64_t id);

  // The ledger rows `filter` selects, in key order, streamed: stops at the
  // first error `each` returns. Reads inside the open transaction, if any.
  Status for_each_ledger_row(const LedgerFilter& filter,
                             const std::function<Status(const LedgerRow&)>& each) const;
  // Forget what `filter` selects: its ledger rows, and the outbox rows of
  // their keys that are pending or done (else the key could not be queued
  // again). Quarantine rows and failed outbox rows are never touched:
  // callers leave quarantined/failed keys out (`quarantine retry` is their
  // path). Run history (runs, run_entries) stays as it is. One transaction
  // (nested in the open one, if any). Returns how many ledger rows went.
  Result<std::int64_t> ledger_forget(const LedgerFilter& filter);

  struct Impl;

 private:
  explicit Store(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace crmr
