// What `sync` brings is what the decision needs: the simulator is seeded with
// the demo CRM (demo/cache.jsonl); one database is filled by `sync` from it,
// another by `cache import` of the same file. Every field the decision reads
// (records, their addresses, filtering methods and state, tracked e-mails
// with their recipients, organisation settings) must be the same in both, and
// the demo mail must be decided the same way against both. Also: the
// look-back window of the first sync (`[crm] tracked_days`).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <map>

#include "cli/exit_codes.h"
#include "storage/db.h"
#include "storage/store.h"
#include "tests/cli/cli_harness.h"
#include "tests/core/crm/sim_harness.h"

namespace crmr::test {
namespace {

// Rows of `sql` (first column: the key) as key -> column name -> text.
using Rows = std::map<std::string, std::map<std::string, std::string>>;

Rows dump(const std::string& path, const char* sql, const std::vector<std::string>& columns) {
  Rows out;
  auto conn = db::Connection::open(path, db::Access::ReadOnly);
  EXPECT_TRUE(conn) << path;
  if (!conn) return out;
  auto q = conn->prepare(sql);
  EXPECT_TRUE(q) << sql;
  if (!q) return out;
  EXPECT_TRUE(db::for_each_row(*q, [&](const db::Statement& s) -> Status {
    auto& row = out[s.column_text(0)];
    for (std::size_t i = 0; i < columns.size(); ++i) row[columns[i]] = s.column_text(static_cast<int>(i + 1));
    return {};
  }));
  return out;
}

// Compares `synced` with `imported` field by field: one failure per field
// that differs, naming it.
void expect_same_fields(const Rows& synced, const Rows& imported, const std::string& what) {
  ASSERT_FALSE(imported.empty()) << what;
  EXPECT_EQ(synced.size(), imported.size()) << what;
  for (const auto& [key, fields] : imported) {
    auto it = synced.find(key);
    if (it == synced.end()) {
      ADD_FAILURE() << what << " " << key << ": not in the synced cache";
      continue;
    }
    for (const auto& [field, value] : fields)
      EXPECT_EQ(it->second.at(field), value) << what << " " << key << ", field " << field;
  }
}

class SyncDecide : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_GT(sim_.port(), 0);
    synced_ = dir_.file("synced.db");
    imported_ = dir_.file("imported.db");
    config_ = dir_.write("crm.toml", "db = \"" + synced_ + "\"\n" + sim_.crm_toml());
    auto s = run_cli({"--config", config_, "--no-progress", "sync"});
    ASSERT_EQ(s.code, kExitOk) << s.out << s.err;
    auto i = run_cli({"--db", imported_, "cache", "import", source_path("demo/cache.jsonl")});
    ASSERT_EQ(i.code, kExitOk) << i.out << i.err;
  }

  Sim sim_{{"--seed", source_path("demo/cache.jsonl")}};
  TempDir dir_;
  std::string synced_, imported_, config_;
};

TEST_F(SyncDecide, TrackedEmailsCarryEveryFieldTheDecisionReads) {
  const char* sql =
      "SELECT activity_id, message_id, tracking_token, conversation_index, conversation_key,"
      " subject, outgoing, regarding_entity, regarding_id, recipients FROM tracked_emails";
  const std::vector<std::string> cols = {"message_id", "tracking_token", "conversation_index",
                                         "conversation_key", "subject", "outgoing",
                                         "regarding_entity", "regarding_id", "recipients"};
  expect_same_fields(dump(synced_, sql, cols), dump(imported_, sql, cols), "tracked e-mail");
  // Smart matching compares subject hashes too (made from the same subjects).
  const char* hashes = "SELECT e.activity_id || ':' || h.hash, 1 FROM tracked_subject_hashes h"
                       " JOIN tracked_emails e ON e.tid = h.tid";
  expect_same_fields(dump(synced_, hashes, {"x"}), dump(imported_, hashes, {"x"}), "subject hash");
}

TEST_F(SyncDecide, RecordsCarryEveryFieldTheDecisionReads) {
  const char* sql = "SELECT entity || ':' || id, name, active, filtering_method FROM records";
  const std::vector<std::string> cols = {"name", "active", "filtering_method"};
  expect_same_fields(dump(synced_, sql, cols), dump(imported_, sql, cols), "record");
  const char* addresses =
      "SELECT a.address || ' ' || r.entity || ':' || r.id, 1 FROM record_addresses a"
      " JOIN records r ON r.rid = a.rid";
  expect_same_fields(dump(synced_, addresses, {"x"}), dump(imported_, addresses, {"x"}), "address");
}

TEST_F(SyncDecide, OrganisationSettingsCarryEveryFieldTheDecisionReads) {
  const char* sql =
      "SELECT id, tracking_prefixes, token_id_base, token_id_digits, max_tracking_number,"
      " correlation_enabled, smart_matching, hash_filter_keywords, hash_max_count,"
      " hash_delta_subject_count, hash_min_address_count, ignore_internal_email,"
      " unresolve_if_multiple_match, max_upload_file_size, blocked_extensions FROM org_settings";
  const std::vector<std::string> cols = {
      "tracking_prefixes", "token_id_base", "token_id_digits", "max_tracking_number",
      "correlation_enabled", "smart_matching", "hash_filter_keywords", "hash_max_count",
      "hash_delta_subject_count", "hash_min_address_count", "ignore_internal_email",
      "unresolve_if_multiple_match", "max_upload_file_size", "blocked_extensions"};
  expect_same_fields(dump(synced_, sql, cols), dump(imported_, sql, cols), "organization");
}

// The demo mail decided (dry run) against `db`: position -> decision fields.
std::map<std::string, nlohmann::json> decide(const TempDir& dir, const std::string& db,
                                             const std::string& name) {
  const std::string report = dir.file(name + ".json");
  auto r = run_cli({"--db", db, "--no-progress", "--dry-run", "--report", report, "import",
                    source_path("demo/demo.mbox")});
  EXPECT_TRUE(r.code == kExitOk || r.code == kExitPartial) << r.out << r.err;
  std::map<std::string, nlohmann::json> out;
  auto j = nlohmann::json::parse(read_file(report), nullptr, false);
  if (!j.is_object()) return out;
  for (const auto& m : j["messages"])
    out[m.value("position", "")] = {{"message_id", m["message_id"]}, {"outcome", m["outcome"]},
                                    {"reason", m["reason"]}, {"correlation", m["correlation"]},
                                    {"regarding", m["regarding"]}, {"parties", m["parties"]},
                                    {"attachments", m["attachments"]}};
  return out;
}

TEST_F(SyncDecide, TheDemoIsDecidedAlikeAfterSyncAndAfterCacheImport) {
  auto synced = decide(dir_, synced_, "synced");
  auto imported = decide(dir_, imported_, "imported");
  ASSERT_GT(imported.size(), 20u);
  ASSERT_EQ(synced.size(), imported.size());
  for (const auto& [position, d] : imported)
    EXPECT_EQ(synced[position].dump(), d.dump()) << "message " << position;
  // The smart-matched message of the demo correlates after a sync.
  bool smart = false;
  for (const auto& [position, d] : synced) smart = smart || d["correlation"] == "smart_match";
  EXPECT_TRUE(smart);
}

TEST(SyncWindow, TheFirstSyncReadsOnlyTrackedEmailsOfTheLastTrackedDays) {
  // 100 generated e-mails, modified evenly over the last 99 days (one a day).
  Sim sim({"--generate-emails", "100", "--generate-days", "99"});
  ASSERT_GT(sim.port(), 0);
  TempDir dir;
  const std::string db = dir.file("s.db");
  auto config = [&](const std::string& extra) {
    return dir.write("crm.toml", "db = \"" + db + "\"\n" + sim.crm_toml(4, extra));
  };
  auto first = run_cli({"--config", config("tracked_days = 30\n"), "--no-progress", "sync", "--only", "email"});
  ASSERT_EQ(first.code, kExitOk) << first.out << first.err;
  // Days 0..29 ago (and the one exactly 30 days ago, give or take a second).
  EXPECT_TRUE(first.out.find("email: 30 read (full read)") != std::string::npos ||
              first.out.find("email: 31 read (full read)") != std::string::npos)
      << first.out;
  {
    auto store = Store::open(db, OpenMode::ReadOnly);
    ASSERT_TRUE(store);
    auto recent = (*store)->tracked_by_token("CRM:01000001");
    ASSERT_TRUE(recent);
    EXPECT_EQ(recent->recipients, (std::vector<std::string>{"customer1@example.org", "team1@example.org"}));
    EXPECT_FALSE((*store)->tracked_by_token("CRM:01000090"));  // 90 days old
  }
  // tracked_days = 0: no window; a full read takes them all.
  auto all = run_cli({"--config", config("tracked_days = 0\n"), "--no-progress", "sync", "--full", "--only", "email"});
  ASSERT_EQ(all.code, kExitOk) << all.out << all.err;
  EXPECT_NE(all.out.find("email: 100 read (full read)"), std::string::npos) << all.out;
}

}  // namespace
}  // namespace crmr::test
