#include "storage/schema.h"

#include <string>

namespace crmr {
namespace {

// Version 1: the cache, the ledger, the outbox, runs, quarantine, key/value state.
// Times are UTC text (ISO 8601). Lists are ';'-separated text.
constexpr char kSchemaV1[] = R"sql(
CREATE TABLE org_settings (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  tracking_prefixes TEXT NOT NULL,
  token_id_base INTEGER NOT NULL,
  token_id_digits INTEGER NOT NULL,
  max_tracking_number INTEGER NOT NULL,
  correlation_enabled INTEGER NOT NULL,
  smart_matching INTEGER NOT NULL,
  hash_filter_keywords TEXT NOT NULL,
  hash_max_count INTEGER NOT NULL,
  hash_delta_subject_count INTEGER NOT NULL,
  hash_min_address_count INTEGER NOT NULL,
  ignore_internal_email INTEGER NOT NULL,
  unresolve_if_multiple_match INTEGER NOT NULL,
  max_upload_file_size INTEGER NOT NULL,
  blocked_extensions TEXT NOT NULL
);

CREATE TABLE records (
  rid INTEGER PRIMARY KEY,
  entity TEXT NOT NULL,
  id TEXT NOT NULL,
  name TEXT NOT NULL DEFAULT '',
  active INTEGER NOT NULL DEFAULT 1,
  filtering_method INTEGER NOT NULL DEFAULT -1,
  UNIQUE (entity, id)
);

-- Normalised address -> record; the primary key is the index on address.
CREATE TABLE record_addresses (
  address TEXT NOT NULL,
  rid INTEGER NOT NULL REFERENCES records(rid) ON DELETE CASCADE,
  PRIMARY KEY (address, rid)
) WITHOUT ROWID;
CREATE INDEX record_addresses_by_record ON record_addresses(rid);

CREATE TABLE tracked_emails (
  tid INTEGER PRIMARY KEY,
  activity_id TEXT NOT NULL UNIQUE,
  message_id TEXT NOT NULL DEFAULT '',
  tracking_token TEXT NOT NULL DEFAULT '',
  conversation_index TEXT NOT NULL DEFAULT '',
  conversation_key TEXT NOT NULL DEFAULT '',
  subject TEXT NOT NULL DEFAULT '',
  outgoing INTEGER NOT NULL DEFAULT 0,
  regarding_entity TEXT NOT NULL DEFAULT '',
  regarding_id TEXT NOT NULL DEFAULT '',
  recipients TEXT NOT NULL DEFAULT ''
);
CREATE INDEX tracked_by_message_id ON tracked_emails(message_id) WHERE message_id <> '';
CREATE INDEX tracked_by_token ON tracked_emails(tracking_token) WHERE tracking_token <> '';
CREATE INDEX tracked_by_conversation ON tracked_emails(conversation_key)
  WHERE conversation_key <> '';

-- Smart matching: subject hashes of each tracked e-mail; the primary key is
-- the index on hash.
CREATE TABLE tracked_subject_hashes (
  hash INTEGER NOT NULL,
  tid INTEGER NOT NULL REFERENCES tracked_emails(tid) ON DELETE CASCADE,
  PRIMARY KEY (hash, tid)
) WITHOUT ROWID;
CREATE INDEX tracked_subject_hashes_by_email ON tracked_subject_hashes(tid);

CREATE TABLE ledger (
  key TEXT PRIMARY KEY,
  source TEXT NOT NULL DEFAULT '',
  position TEXT NOT NULL DEFAULT '',
  message_id TEXT NOT NULL DEFAULT '',
  outcome TEXT NOT NULL,
  reason TEXT NOT NULL DEFAULT '',
  run_id INTEGER NOT NULL DEFAULT 0,
  at TEXT NOT NULL
);
CREATE INDEX ledger_by_run ON ledger(run_id);

CREATE TABLE outbox (
  id INTEGER PRIMARY KEY,
  key TEXT NOT NULL UNIQUE,
  raw BLOB NOT NULL,
  decision_json TEXT NOT NULL DEFAULT '',
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT '',
  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'failed')),
  activity_id TEXT NOT NULL DEFAULT '',
  run_id INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX outbox_pending ON outbox(id) WHERE state = 'pending';

CREATE TABLE runs (
  id INTEGER PRIMARY KEY,
  command TEXT NOT NULL,
  started TEXT NOT NULL,
  finished TEXT NOT NULL DEFAULT '',
  totals_json TEXT NOT NULL DEFAULT '',
  report_json TEXT NOT NULL DEFAULT ''
);

CREATE TABLE quarantine (
  id INTEGER PRIMARY KEY,
  key TEXT NOT NULL,
  source TEXT NOT NULL DEFAULT '',
  position TEXT NOT NULL DEFAULT '',
  raw BLOB NOT NULL,
  error TEXT NOT NULL DEFAULT '',
  run_id INTEGER NOT NULL DEFAULT 0,
  at TEXT NOT NULL
);
CREATE INDEX quarantine_by_key ON quarantine(key);

-- The report entries of each run, in order (the ledger keeps one row per key;
-- a run also reports duplicates). Pruned to the newest runs.
CREATE TABLE run_entries (
  run_id INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  entry_json TEXT NOT NULL,
  PRIMARY KEY (run_id, seq)
);  -- a rowid table: rows of ~2 KB are what WITHOUT ROWID is not for

-- Generic key/value state: IMAP/POP3 cursors, sync delta links, watermarks.
CREATE TABLE state (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
)sql";

// Version 2: the POP3 UIDLs already processed, per configured mailbox (IMAP
// cursors live in the key/value `state` table).
constexpr char kSchemaV2[] = R"sql(
CREATE TABLE pop3_seen (
  mailbox TEXT NOT NULL,
  uidl TEXT NOT NULL,
  at TEXT NOT NULL,
  PRIMARY KEY (mailbox, uidl)
) WITHOUT ROWID;
)sql";

// Version 3: quarantine ids are never given out again (AUTOINCREMENT), so an
// id an administrator noted, exported or retried names one message for good.
// Ids removed before this version are not known; numbering goes on after the
// highest one still there.
constexpr char kSchemaV3[] = R"sql(
CREATE TABLE quarantine_v3 (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  key TEXT NOT NULL,
  source TEXT NOT NULL DEFAULT '',
  position TEXT NOT NULL DEFAULT '',
  raw BLOB NOT NULL,
  error TEXT NOT NULL DEFAULT '',
  run_id INTEGER NOT NULL DEFAULT 0,
  at TEXT NOT NULL
);
INSERT INTO quarantine_v3 (id, key, source, position, raw, error, run_id, at)
  SELECT id, key, source, position, raw, error, run_id, at FROM quarantine;
DROP TABLE quarantine;
ALTER TABLE quarantine_v3 RENAME TO quarantine;
CREATE INDEX quarantine_by_key ON quarantine(key);
)sql";

// Version 4: each run's outcome as a whole, for `report --list` and `status`:
// status "ok", "partial" (messages quarantined or failed, a mailbox failed) or
// "failed" (the run stopped, or nothing could be read), and the error that
// made it so. Runs recorded before this version have status ''.
constexpr char kSchemaV4[] = R"sql(
ALTER TABLE runs ADD COLUMN status TEXT NOT NULL DEFAULT '';
ALTER TABLE runs ADD COLUMN error TEXT NOT NULL DEFAULT '';
)sql";

// Version 5: an outbox item knows the report entry of the run that queued it
// (run_entries (run_id, run_seq)), so the push at the end of that run puts its
// outcome (pushed with the activity id, quarantined, still queued) into the
// same entry: one invocation, one report. 0: queued before this version.
constexpr char kSchemaV5[] = R"sql(
ALTER TABLE outbox ADD COLUMN run_seq INTEGER NOT NULL DEFAULT 0;
)sql";

// Version 6: when each tracked e-mail was last modified in the CRM, so `cache
// prune` can remove those older than the look-back window ('' when not known:
// rows cached before this version, or imported without modifiedon).
constexpr char kSchemaV6[] = R"sql(
ALTER TABLE tracked_emails ADD COLUMN modified TEXT NOT NULL DEFAULT '';
CREATE INDEX tracked_by_modified ON tracked_emails(modified) WHERE modified <> '';
)sql";

constexpr Migration kMigrations[] = {
    {1, "cache, ledger, outbox, runs, quarantine and state tables", kSchemaV1},
    {2, "POP3 UIDLs already processed", kSchemaV2},
    {3, "quarantine ids never reused", kSchemaV3},
    {4, "status and error of each run", kSchemaV4},
    {5, "outbox items know their run's report entry", kSchemaV5},
    {6, "modification time of tracked e-mails", kSchemaV6},
};

}  // namespace

std::span<const Migration> schema_migrations() { return kMigrations; }

int current_schema_version() { return kMigrations[std::size(kMigrations) - 1].version; }

Status apply_migrations(db::Connection& conn, std::span<const Migration> steps) {
  auto version = conn.query_int("PRAGMA user_version");
  if (!version) return fail(version.error());
  const int latest = steps.empty() ? 0 : steps.back().version;
  if (*version > latest) {
    return fail(Code::StoreSchemaNewer,
                conn.label() + ": the database has schema version " + std::to_string(*version) +
                    ", this crm-router knows versions up to " + std::to_string(latest),
                "use a newer crm-router with this database, or point --db at another file");
  }
  if (*version == latest) return {};

  auto tx = db::Transaction::begin(conn);
  if (!tx) return fail(tx.error());
  for (const Migration& step : steps) {
    if (step.version <= *version) continue;
    auto st = conn.exec(step.sql);
    if (!st) {
      Error e = st.error();
      e.message += " (migration to schema version " + std::to_string(step.version) + ", " +
                   step.description + ")";
      return fail(std::move(e));
    }
    // The version is a constant of this build, never a value read from data.
    std::string pragma = "PRAGMA user_version = " + std::to_string(step.version);
    auto set = conn.exec(pragma.c_str());
    if (!set) return set;
  }
  return tx->commit();
}

}  // namespace crmr
