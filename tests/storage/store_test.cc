// Store: opening and migrations, read-only mode, SQLite errors, transactions.
#include "storage/store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <fstream>

#include "storage/db.h"
#include "storage/schema.h"
#include "tests/storage/storage_test_util.h"
#include "tests/support/result_matchers.h"

namespace crmr {
namespace {

using test::contact;
using test::memory_store;
using test::processed;
using test::read_bytes;
using test::TempDir;
using test::thread_index;
using test::tracked;

namespace fs = std::filesystem;

// --- opening, schema, modes

TEST(StoreOpen, MemoryDatabaseHasTheCurrentSchema) {
  auto store = memory_store();
  EXPECT_EQ(store->schema_version(), current_schema_version());
  EXPECT_GE(current_schema_version(), 1);
}

TEST(StoreOpen, CreatesFileInWalModeAndReopensWithItsData) {
  TempDir dir;
  const std::string path = dir.file("state.db");
  {
    auto store = Store::open(path, OpenMode::ReadWrite);
    ASSERT_OK(store);
    EXPECT_EQ((*store)->schema_version(), current_schema_version());
    ASSERT_TRUE((*store)->upsert_record(contact("c1", "Alice", {"alice@example.com"})));
  }
  ASSERT_TRUE(fs::exists(path));
  {
    auto conn = db::Connection::open(path, db::Access::ReadOnly);
    ASSERT_TRUE(conn);
    auto page = conn->prepare("PRAGMA journal_mode");
    ASSERT_TRUE(page);
    ASSERT_TRUE(page->step().value_or(false));
    EXPECT_EQ(page->column_text(0), "wal");
  }
  auto again = Store::open(path, OpenMode::ReadWrite);
  ASSERT_OK(again);
  EXPECT_EQ((*again)->schema_version(), current_schema_version());
  auto found = (*again)->records_by_address("alice@example.com");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].name, "Alice");
}

TEST(StoreOpen, NotADatabaseIsAClearErrorNamingThePath) {
  TempDir dir;
  const std::string path = dir.file("notes.txt");
  std::ofstream(path) << std::string(2000, 'x') << "\nthis is not SQLite\n";
  const std::string before = read_bytes(path);
  for (OpenMode mode : {OpenMode::ReadWrite, OpenMode::ReadOnly}) {
    auto store = Store::open(path, mode);
    ASSERT_FALSE(store);
    EXPECT_ERROR_CODE(store, Code::StoreNotADatabase);
    EXPECT_NE(store.error().message.find(path), std::string::npos) << store.error().message;
    EXPECT_FALSE(store.error().hint.empty());
    EXPECT_EQ(store.error().scope, Scope::Run);
  }
  EXPECT_EQ(read_bytes(path), before);
}

TEST(StoreOpen, MissingDirectoryIsAClearError) {
  TempDir dir;
  const std::string path = dir.file("no/such/dir/state.db");
  auto store = Store::open(path, OpenMode::ReadWrite);
  ASSERT_FALSE(store);
  EXPECT_ERROR_CODE(store, Code::StoreNoDirectory);
  EXPECT_NE(store.error().message.find(path), std::string::npos);
  EXPECT_FALSE(store.error().hint.empty());
}

TEST(StoreOpen, DirectoryAsPathIsAClearError) {
  TempDir dir;
  auto store = Store::open(dir.path().string(), OpenMode::ReadWrite);
  ASSERT_FALSE(store);
  EXPECT_ERROR_CODE(store, Code::StoreCannotOpen);
  EXPECT_NE(store.error().message.find(dir.path().string()), std::string::npos);
}

TEST(StoreOpen, ReadOnlyFileOpenedReadWriteIsAClearError) {
  TempDir dir;
  const std::string path = dir.file("state.db");
  { ASSERT_TRUE(Store::open(path, OpenMode::ReadWrite)); }
  fs::permissions(path, fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read);
  if (std::ofstream(path, std::ios::app)) GTEST_SKIP() << "this account may write read-only files";
  auto store = Store::open(path, OpenMode::ReadWrite);
  ASSERT_FALSE(store);
  EXPECT_ERROR_CODE(store, Code::StoreReadOnlyFile);
  EXPECT_NE(store.error().message.find(path), std::string::npos);
  EXPECT_FALSE(store.error().hint.empty());
}

TEST(StoreOpen, NewerSchemaIsRefused) {
  TempDir dir;
  const std::string path = dir.file("future.db");
  {
    auto conn = db::Connection::open(path, db::Access::ReadWriteCreate);
    ASSERT_TRUE(conn);
    ASSERT_TRUE(conn->exec("PRAGMA user_version = 999"));
  }
  for (OpenMode mode : {OpenMode::ReadWrite, OpenMode::ReadOnly}) {
    auto store = Store::open(path, mode);
    ASSERT_FALSE(store);
    EXPECT_ERROR_CODE(store, Code::StoreSchemaNewer);
  }
}

TEST(StoreReadOnly, LeavesTheFileByteForByteUnchanged) {
  TempDir dir;
  const std::string path = dir.file("state.db");
  {
    auto store = Store::open(path, OpenMode::ReadWrite);
    ASSERT_TRUE(store);
    auto& s = **store;
    ASSERT_TRUE(s.upsert_record(contact("c1", "Alice", {"alice@example.com"})));
    TrackedEmail e{"a1", "m@x", "CRM:0001001", thread_index(1), "Quote 1", false, "", "", {}, ""};
    ASSERT_TRUE(s.upsert_tracked(e));
    auto run = s.begin_run("run", "2026-01-01T00:00:00Z");
    ASSERT_TRUE(run);
    ASSERT_TRUE(s.record_processed(*run, processed("k1", "queued")));
    ASSERT_TRUE(s.finish_run(*run, "2026-01-01T00:01:00Z", "{}", "{\"r\":1}"));
  }
  const std::string before = read_bytes(path);
  {
    auto store = Store::open(path, OpenMode::ReadOnly);
    ASSERT_OK(store);
    auto& s = **store;
    EXPECT_EQ(s.records_by_address("ALICE@example.com").size(), 1u);
    EXPECT_TRUE(s.tracked_by_message_id("<m@X>"));
    EXPECT_TRUE(s.tracked_by_token("CRM:0001001"));
    EXPECT_TRUE(s.ledger_has("k1"));
    EXPECT_EQ(s.outbox_pending(10)->size(), 1u);
    EXPECT_TRUE(s.run_report_json(0));
    EXPECT_TRUE(s.cache_stats());
    EXPECT_TRUE(s.begin());
    EXPECT_TRUE(s.commit());

    // Every write is refused.
    const std::vector<std::pair<const char*, Status>> writes = {
        {"put_org", s.put_org(OrgSettings{})},
        {"upsert_record", s.upsert_record(contact("c2", "B", {"b@x"}))},
        {"upsert_tracked", s.upsert_tracked(tracked("a2", "s"))},
        {"delete_record", s.delete_record("contact", "c1")},
        {"record_processed", s.record_processed(1, processed("k2", "queued"))},
        {"outbox_done", s.outbox_done(1, "x")},
        {"outbox_failed", s.outbox_failed(1, "x", true)},
        {"begin_run", s.begin_run("x", "y") ? Status{} : fail(s.begin_run("x", "y").error())},
        {"finish_run", s.finish_run(1, "", "", "")},
        {"quarantine_remove", s.quarantine_remove(1)},
    };
    for (const auto& [name, st] : writes) {
      ASSERT_FALSE(st) << name;
      EXPECT_ERROR_CODE(st, Code::StoreReadOnly) << name;
    }
    EXPECT_EQ(s.records_by_address("alice@example.com").size(), 1u);
  }
  EXPECT_EQ(read_bytes(path), before);
}

TEST(StoreReadOnly, ImmutableAccessReadsWithoutSideFiles) {
  // The fallback for a WAL database in a directory we may not write: the
  // path goes into a file: URI, so its reserved characters must survive
  // ('#' and '%'; '?' cannot be in a Windows file name).
  TempDir dir;
  const std::string path = dir.file("odd name#100%.db");
  {
    auto store = Store::open(path, OpenMode::ReadWrite);
    ASSERT_OK(store);
    ASSERT_TRUE((*store)->upsert_record(contact("c1", "Alice", {"alice@example.com"})));
  }
  const std::string before = read_bytes(path);
  {
    auto conn = db::Connection::open(path, db::Access::ReadOnlyImmutable);
    ASSERT_OK(conn);
    EXPECT_EQ(conn->query_int("SELECT count(*) FROM records").value(), 1);
    EXPECT_FALSE(fs::exists(path + "-wal"));
    EXPECT_FALSE(fs::exists(path + "-shm"));
  }
  EXPECT_EQ(read_bytes(path), before);
}

TEST(StoreReadOnly, MissingFileReadsAsAnEmptyCacheAndCreatesNothing) {
  TempDir dir;
  const std::string path = dir.file("absent.db");
  auto store = Store::open(path, OpenMode::ReadOnly);
  ASSERT_OK(store);
  EXPECT_EQ((*store)->schema_version(), current_schema_version());
  EXPECT_TRUE((*store)->records_by_address("a@b").empty());
  EXPECT_FALSE((*store)->ledger_has("k"));
  EXPECT_EQ((*store)->org().tracking_prefixes, std::vector<std::string>{"CRM:"});
  EXPECT_ERROR_CODE((*store)->upsert_record(contact("c", "n", {})), Code::StoreReadOnly);
  store->reset();
  EXPECT_FALSE(fs::exists(path));
}

TEST(StoreReadOnly, OlderSchemaIsReadWithoutMigratingTheFile) {
  TempDir dir;
  const std::string path = dir.file("old.db");
  {
    auto conn = db::Connection::open(path, db::Access::ReadWriteCreate);
    ASSERT_TRUE(conn);
    ASSERT_TRUE(conn->exec("CREATE TABLE something_old (x); INSERT INTO something_old VALUES (1)"));
  }
  const std::string before = read_bytes(path);
  auto store = Store::open(path, OpenMode::ReadOnly);
  ASSERT_OK(store);
  EXPECT_TRUE((*store)->records_by_address("a@b").empty());
  EXPECT_EQ((*store)->cache_stats()->at("contact"), 0);
  store->reset();
  EXPECT_EQ(read_bytes(path), before);
}

// --- migrations

TEST(Migrations, ApplyInOrderAndOnlyOnce) {
  auto conn = db::Connection::open(":memory:", db::Access::ReadWriteCreate);
  ASSERT_TRUE(conn);
  const Migration steps[] = {{1, "one", "CREATE TABLE a (x)"},
                             {2, "two", "CREATE TABLE b (x); INSERT INTO a VALUES (2)"}};
  ASSERT_TRUE(apply_migrations(*conn, std::span(steps).first(1)));
  EXPECT_EQ(conn->query_int("PRAGMA user_version").value(), 1);
  ASSERT_TRUE(apply_migrations(*conn, steps));
  EXPECT_EQ(conn->query_int("PRAGMA user_version").value(), 2);
  ASSERT_TRUE(apply_migrations(*conn, steps));  // nothing left to do
  EXPECT_EQ(conn->query_int("SELECT count(*) FROM a").value(), 1);
}

TEST(Migrations, AFailingStepLeavesTheDatabaseAsItWas) {
  auto conn = db::Connection::open(":memory:", db::Access::ReadWriteCreate);
  ASSERT_TRUE(conn);
  const Migration steps[] = {{1, "one", "CREATE TABLE a (x)"},
                             {2, "two", "CREATE TABLE b (x)"},
                             {3, "broken", "CREATE TABLE a (x)"}};
  auto st = apply_migrations(*conn, steps);
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().message.find("broken"), std::string::npos) << st.error().message;
  EXPECT_EQ(conn->query_int("PRAGMA user_version").value(), 0);
  EXPECT_EQ(conn->query_int("SELECT count(*) FROM sqlite_master").value(), 0);
  EXPECT_EQ(conn->depth(), 0);
}

TEST(Migrations, TheBuiltInStepsCountUpFromOne) {
  int expected = 1;
  for (const Migration& m : schema_migrations()) EXPECT_EQ(m.version, expected++);
}

// --- SQLite errors

TEST(SqliteError, MapsResultCodesToCodesAndRetryClasses) {
  struct Case {
    int rc;
    const char* code;
    Retry retry;
  };
  const Case cases[] = {{SQLITE_BUSY, "store.busy", Retry::Later},
                        {SQLITE_LOCKED, "store.busy", Retry::Later},
                        {SQLITE_BUSY_SNAPSHOT, "store.busy", Retry::Later},
                        {SQLITE_NOTADB, "store.not_a_database", Retry::Never},
                        {SQLITE_CORRUPT, "store.corrupt", Retry::Never},
                        {SQLITE_READONLY, "store.read_only_file", Retry::Never},
                        {SQLITE_CANTOPEN, "store.cannot_open", Retry::Never},
                        {SQLITE_CONSTRAINT_UNIQUE, "store.constraint", Retry::Never},
                        {SQLITE_ERROR, "store.sqlite", Retry::Never}};
  for (const auto& c : cases) {
    Error e = db::sqlite_error(nullptr, c.rc, "/var/lib/crm/state.db", "doing");
    EXPECT_EQ(e.code_name(), c.code) << c.rc;
    EXPECT_EQ(e.retry, c.retry) << c.rc;
    EXPECT_EQ(e.scope, Scope::Run);
    EXPECT_NE(e.message.find("/var/lib/crm/state.db"), std::string::npos);
  }
}

TEST(SqliteError, ABusyDatabaseIsRetriedLater) {
  TempDir dir;
  const std::string path = dir.file("state.db");
  auto first = Store::open(path, OpenMode::ReadWrite);
  ASSERT_TRUE(first);
  ASSERT_TRUE((*first)->begin());  // BEGIN IMMEDIATE: holds the write lock
  auto other = db::Connection::open(path, db::Access::ReadWriteCreate);
  ASSERT_TRUE(other);
  sqlite3_busy_timeout(other->raw(), 10);
  auto st = other->begin();
  ASSERT_FALSE(st);
  EXPECT_ERROR_CODE(st, Code::StoreBusy);
  EXPECT_EQ(st.error().retry, Retry::Later);
  (*first)->rollback();
}

TEST(Statement, BindsByNameAndReadsColumns) {
  auto conn = db::Connection::open(":memory:", db::Access::ReadWriteCreate);
  ASSERT_TRUE(conn);
  auto q = conn->prepare("SELECT :text, :number, :blob, NULL");
  ASSERT_TRUE(q);
  ASSERT_TRUE(q->bind(":text", std::string("héllo")));
  ASSERT_TRUE(q->bind(":number", std::int64_t{1} << 40));
  ASSERT_TRUE(q->bind_blob(":blob", std::string("a\0b", 3)));
  EXPECT_FALSE(q->bind(":nope", 1));
  ASSERT_TRUE(q->step().value_or(false));
  EXPECT_EQ(q->column_text(0), "héllo");
  EXPECT_EQ(q->column_int64(1), std::int64_t{1} << 40);
  EXPECT_EQ(q->column_blob(2), std::string("a\0b", 3));
  EXPECT_TRUE(q->column_is_null(3));
  EXPECT_FALSE(q->step().value_or(true));
}

// --- transactions

TEST(StoreTransactions, RollbackUndoesEverythingSinceBegin) {
  auto store = memory_store();
  ASSERT_TRUE(store->begin());
  ASSERT_TRUE(store->record_processed(1, processed("k1", "tossed")));
  store->rollback();
  EXPECT_FALSE(store->ledger_has("k1"));
}

TEST(StoreTransactions, NestedBeginsCommitOnlyAtTheOutermost) {
  TempDir dir;
  const std::string path = dir.file("state.db");
  auto store = Store::open(path, OpenMode::ReadWrite);
  ASSERT_TRUE(store);
  auto& s = **store;
  ASSERT_TRUE(s.begin());
  ASSERT_TRUE(s.begin());
  ASSERT_TRUE(s.record_processed(1, processed("inner-undone", "tossed")));
  s.rollback();  // only the inner part
  ASSERT_TRUE(s.begin());
  ASSERT_TRUE(s.record_processed(1, processed("inner-kept", "tossed")));
  ASSERT_TRUE(s.commit());
  {
    auto reader = Store::open(path, OpenMode::ReadOnly);
    ASSERT_TRUE(reader);
    EXPECT_FALSE((*reader)->ledger_has("inner-kept")) << "visible before the outer commit";
  }
  ASSERT_TRUE(s.commit());
  EXPECT_FALSE(s.ledger_has("inner-undone"));
  EXPECT_TRUE(s.ledger_has("inner-kept"));
  auto reader = Store::open(path, OpenMode::ReadOnly);
  ASSERT_TRUE(reader);
  EXPECT_TRUE((*reader)->ledger_has("inner-kept"));
}

TEST(StoreTransactions, CommitWithoutBeginIsAnError) {
  auto store = memory_store();
  EXPECT_FALSE(store->commit());
  store->rollback();  // harmless
}

}  // namespace
}  // namespace crmr
