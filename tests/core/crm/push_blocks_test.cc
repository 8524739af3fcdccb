// push of attachments over 4 MiB against dataverse-sim: they go by block
// upload (InitializeAttachmentBlocksUpload, UploadBlock, Commit...) after the
// change set created the e-mail open; the e-mail is completed once all of
// them are there, byte for byte, exactly once, through CRM limits, faults
// and kills at every step of the upload. What the CRM holds is read from the
// simulator's SQLite file (its HTTP answers of many MB would be compressed).
#include <gtest/gtest.h>

#include <fcntl.h>
#include <sqlite3.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <random>

#include "cli/exit_codes.h"
#include "core/base/normalize.h"
#include "tests/cli/cli_harness.h"
#include "tests/core/crm/sim_harness.h"

namespace crmr::test {
namespace {

constexpr std::size_t kMiB = 1024 * 1024;

struct Part {
  std::string filename;
  std::string bytes;
};

// `n` bytes that do not compress or repeat.
std::string noise(std::size_t n, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::string out(n, '\0');
  for (auto& c : out) c = static_cast<char>(rng());
  return out;
}

// One mbox message to Megan (filtering: all messages) with `parts` attached.
std::string mbox_with(const std::string& message_id, const std::vector<Part>& parts) {
  std::string m = "From jane@fabrikam.example Fri May  1 10:00:00 2026\n"
                  "From: Jane Doe <jane.doe@fabrikam.example>\nTo: megan.bowen@contoso.example\n"
                  "Subject: Drawings for the new plant\nDate: Fri, 01 May 2026 10:00:00 +0000\n"
                  "Message-ID: <" + message_id + ">\nMIME-Version: 1.0\n"
                  "Content-Type: multipart/mixed; boundary=\"b0undary\"\n\n"
                  "--b0undary\nContent-Type: text/plain; charset=utf-8\n\nThe drawings, as promised.\n";
  for (const auto& p : parts) {
    m += "--b0undary\nContent-Type: application/octet-stream; name=\"" + p.filename +
         "\"\nContent-Disposition: attachment; filename=\"" + p.filename +
         "\"\nContent-Transfer-Encoding: base64\n\n";
    const std::string b64 = base64_encode(p.bytes);
    for (std::size_t i = 0; i < b64.size(); i += 76) m += b64.substr(i, 76) + "\n";
  }
  return m + "--b0undary--\n\n";
}

// The demo CRM with the organisation's upload limit set to `limit` (base64 bytes).
std::string cache_with_limit(const TempDir& dir, const std::string& name, long limit) {
  std::string text = read_file(source_path("demo/cache.jsonl"));
  const std::string was = "\"maxuploadfilesize\": 5242880";
  auto at = text.find(was);
  EXPECT_NE(at, std::string::npos);
  text.replace(at, was.size(), "\"maxuploadfilesize\": " + std::to_string(limit));
  return dir.write(name, text);
}

// A state database whose cache allows 32 MB uploads, with `mbox` queued.
struct Queued {
  TempDir dir;
  std::string config;

  Queued(const Sim& sim, const std::string& mbox, const std::string& extra = {}) {
    config = dir.write("crm.toml", "db = \"" + dir.file("state.db") + "\"\nprogress = false\n" +
                                       sim.crm_toml(4, extra));
    auto c = run_cli({"--config", config, "cache", "import", cache_with_limit(dir, "cache.jsonl", 32 * kMiB)});
    EXPECT_EQ(c.code, 0) << c.err;
    auto i = run_cli({"--config", config, "import", "--no-push", dir.write("in.mbox", mbox)});
    EXPECT_EQ(i.code, kExitOk) << i.out << i.err;
  }
  CliResult push() { return run_cli({"--config", config, "push"}); }
  int push_crashing_at(const std::string& point) { return test::push_crashing_at(config, point); }
};

// A simulator keeping its store in a file the test reads.
struct SimWithFile {
  TempDir dir;
  std::string db = dir.file("crm.db");
  Sim sim;
  explicit SimWithFile(const std::string& seed, std::vector<std::string> args = {})
      : sim(with(args, {"--db", db, "--seed", seed})) {}
  static std::vector<std::string> with(std::vector<std::string> a, std::vector<std::string> b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
  }
};

struct CrmEmail {
  int statecode = -1;
  int statuscode = -1;
  int attachmentcount = 0;
  std::multimap<std::string, std::string> attachments;  // filename -> base64 body
};

// The e-mails in the simulator's store with Message-ID <message_id>.
std::vector<CrmEmail> in_crm(const std::string& db, const std::string& message_id) {
  sqlite3* h = nullptr;
  std::vector<CrmEmail> out;
  if (sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    ADD_FAILURE() << "cannot open " << db;
    sqlite3_close(h);
    return out;
  }
  sqlite3_busy_timeout(h, 5000);
  sqlite3_stmt* e = nullptr;
  sqlite3_stmt* a = nullptr;
  sqlite3_prepare_v2(h,
                     "SELECT id, statecode, statuscode, coalesce(json_extract(data,'$.attachmentcount'),0) "
                     "FROM emails WHERE messageid = ?",
                     -1, &e, nullptr);
  sqlite3_prepare_v2(h, "SELECT filename, json_extract(data,'$.body') FROM attachments WHERE objectid = ?", -1,
                     &a, nullptr);
  const std::string wanted = "<" + message_id + ">";
  sqlite3_bind_text(e, 1, wanted.c_str(), -1, SQLITE_TRANSIENT);
  while (sqlite3_step(e) == SQLITE_ROW) {
    CrmEmail m;
    m.statecode = sqlite3_column_int(e, 1);
    m.statuscode = sqlite3_column_int(e, 2);
    m.attachmentcount = sqlite3_column_int(e, 3);
    sqlite3_reset(a);
    sqlite3_bind_text(a, 1, reinterpret_cast<const char*>(sqlite3_column_text(e, 0)), -1, SQLITE_TRANSIENT);
    while (sqlite3_step(a) == SQLITE_ROW)
      m.attachments.emplace(reinterpret_cast<const char*>(sqlite3_column_text(a, 0)),
                            reinterpret_cast<const char*>(sqlite3_column_text(a, 1)));
    out.push_back(std::move(m));
  }
  sqlite3_finalize(e);
  sqlite3_finalize(a);
  sqlite3_close(h);
  return out;
}

// The e-mail holds exactly `parts`, each once and byte-identical.
void expect_attachments(const CrmEmail& email, const std::vector<Part>& parts) {
  std::multimap<std::string, std::string> want, got = email.attachments;
  for (const auto& p : parts) want.emplace(p.filename, base64_encode(p.bytes));
  ASSERT_EQ(got.size(), want.size());
  for (const auto& [name, body] : want) {
    auto range = got.equal_range(name);
    bool found = false;
    for (auto it = range.first; it != range.second; ++it)
      if (it->second == body) {
        got.erase(it);
        found = true;
        break;
      }
    EXPECT_TRUE(found) << name << " missing or not byte-identical";
  }
}

void expect_completed(const CrmEmail& email) {
  EXPECT_EQ(email.statecode, 1);
  EXPECT_EQ(email.statuscode, 4);
}

// `push` succeeded and the CRM holds message `id` once, completed, with
// exactly `parts`.
void expect_pushed_once(const CliResult& push, const std::string& db, const std::string& id,
                        const std::vector<Part>& parts) {
  EXPECT_EQ(push.code, kExitOk) << push.out << push.err;
  auto created = in_crm(db, id);
  ASSERT_EQ(created.size(), 1u);
  expect_completed(created[0]);
  expect_attachments(created[0], parts);
}

TEST(PushBlocks, LargeAttachmentGoesInBlocksAndTheEmailLandsWholeAndCompleted) {
  const std::string id = "big-9mb@test.example";
  TempDir seed;
  SimWithFile crm(cache_with_limit(seed, "crm.jsonl", 32 * kMiB));
  ASSERT_GT(crm.sim.port(), 0);
  const std::vector<Part> parts = {{"plant-drawings.pdf", noise(9 * kMiB, 1)}, {"notes.txt", "see page 3\n"}};
  Queued q(crm.sim, mbox_with(id, parts));

  // A dry run says which attachment would go by blocks, and sends nothing.
  auto dry = run_cli({"--config", q.config, "--dry-run", "push"});
  EXPECT_EQ(dry.code, kExitOk) << dry.err;
  EXPECT_NE(dry.out.find(", 2 attachment(s); plant-drawings.pdf (" + std::to_string(9 * kMiB) +
                         " bytes) by block upload"),
            std::string::npos)
      << dry.out;
  EXPECT_EQ(crm.sim.stats().value("api_requests", 0), 0);

  const auto started = std::chrono::steady_clock::now();
  auto r = q.push();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  ASSERT_EQ(r.code, kExitOk) << r.out << r.err;
  std::printf("push of one message with a 9 MiB attachment: %.2f s\n", seconds);

  auto created = in_crm(crm.db, id);
  ASSERT_EQ(created.size(), 1u);
  expect_completed(created[0]);
  expect_attachments(created[0], parts);
  EXPECT_EQ(created[0].attachmentcount, 2);
  // The large one by blocks (9 MiB: 3 of 3 MiB), the small one inline in the change set.
  auto s = crm.sim.stats();
  EXPECT_GE(s["upload_blocks"].get<int>(), 3);
  EXPECT_EQ(s["block_commits"], 1);
  EXPECT_EQ(s["attachment_posts"], 1);

  // Pushed again (outbox done): nothing new.
  EXPECT_EQ(q.push().code, kExitOk);
  EXPECT_EQ(in_crm(crm.db, id).size(), 1u);
}

TEST(PushBlocks, OverTheCrmLimitIsQuarantinedWithItsErrorAndResumedOnRetry) {
  const std::string id = "over-limit@test.example";
  // The router's cache allows 32 MB, the CRM's organisation 5 MB (base64).
  SimWithFile crm(source_path("demo/cache.jsonl"));
  const std::vector<Part> parts = {{"survey.tif", noise(5 * kMiB, 2)}, {"readme.txt", "hello\n"}};
  Queued q(crm.sim, mbox_with(id, parts));
  auto r = q.push();
  EXPECT_EQ(r.code, kExitPartial) << r.out << r.err;
  EXPECT_NE(r.out.find("quarantined"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("0x80044a02"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("exceeds maxuploadfilesize"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("stays open (not completed) in the CRM"), std::string::npos) << r.out;
  // The e-mail stays open with what fit; nothing claims it landed whole.
  auto created = in_crm(crm.db, id);
  ASSERT_EQ(created.size(), 1u);
  EXPECT_EQ(created[0].statecode, 0);
  expect_attachments(created[0], {parts[1]});

  // The CRM's limit is raised: a retry of the quarantined message resumes the open e-mail.
  auto orgs = nlohmann::json::parse(crm.sim.call("GET", "/api/data/v9.2/organizations?$select=organizationid").body);
  const std::string org = orgs["value"][0]["organizationid"];
  crm.sim.call("PATCH", "/api/data/v9.2/organizations(" + org + ")", R"({"maxuploadfilesize": 33554432})");
  expect_pushed_once(run_cli({"--config", q.config, "quarantine", "retry", "--all"}), crm.db, id, parts);
}

TEST(PushBlocks, BlockedExtensionOfALargeAttachmentIsQuarantinedWithItsError) {
  const std::string id = "blocked@test.example";
  // The router's cache blocks nothing; the CRM blocks .iso.
  TempDir seed;
  std::string org = read_file(cache_with_limit(seed, "crm.jsonl", 32 * kMiB));
  org.replace(org.find("\"blockedattachments\": \""), 23, "\"blockedattachments\": \"iso;");
  SimWithFile crm(seed.write("blocked.jsonl", org));
  Queued q(crm.sim, mbox_with(id, {{"disk.iso", noise(5 * kMiB, 3)}}));
  auto r = q.push();
  EXPECT_EQ(r.code, kExitPartial) << r.out << r.err;
  EXPECT_NE(r.out.find("0x80043e09"), std::string::npos) << r.out;
  EXPECT_EQ(crm.sim.stats()["upload_blocks"], 0);
}

TEST(PushBlocks, KilledAtEveryStepOfTheUploadLandsExactlyOnceOnTheNextPush) {
  const std::string id = "killed-mid-upload@test.example";
  // Two equal large attachments (same name and size: counted, not merged),
  // another large one and a small one: 3 commits, then the completion.
  const std::string same = noise(5 * kMiB, 4);
  const std::vector<Part> parts = {{"scan.pdf", same}, {"scan.pdf", same}, {"model.step", noise(6 * kMiB, 5)},
                                   {"cover.txt", "cover letter\n"}};
  const std::string mbox = mbox_with(id, parts);
  TempDir seed;
  const std::string crm_seed = cache_with_limit(seed, "crm.jsonl", 32 * kMiB);
  for (const char* point : {"push_after:1", "push_block_before:1", "push_block_after:1", "push_block_before:2",
                            "push_block_after:2", "push_block_after:3"}) {
    SCOPED_TRACE(point);
    SimWithFile crm(crm_seed);
    Queued q(crm.sim, mbox);
    ASSERT_EQ(q.push_crashing_at(point), kCrashed);
    auto half = in_crm(crm.db, id);
    ASSERT_EQ(half.size(), 1u);
    EXPECT_EQ(half[0].statecode, 0) << "completed before every attachment was there";

    expect_pushed_once(q.push(), crm.db, id, parts);
    auto report = run_cli({"--config", q.config, "report", "--format", "json"});
    EXPECT_NE(report.out.find("resumed the open e-mail"), std::string::npos) << report.out;
  }
}

TEST(PushBlocks, FaultsOnTheBlockStepsStillDeliverExactlyOnce) {
  const std::string id = "faults-on-blocks@test.example";
  // API requests of the message: 1 check, 2 $batch, 3 Initialize, 4-6
  // UploadBlock, 7 Commit, 8 PATCH. 503 on block 2 (5: sent again as 6),
  // the connection dropped on block 3 (7: sent again as 8), 503 on the
  // Commit (9: not repeated as it is, back to the check, which resumes:
  // 10 check, 11 list, 12 Initialize, 13-15 blocks, 16 Commit), the
  // connection dropped on the PATCH (17: sent again as 18).
  TempDir seed;
  SimWithFile crm(cache_with_limit(seed, "crm.jsonl", 32 * kMiB),
                  {"--fault", "503@5", "--fault", "drop@7", "--fault", "503@9", "--fault", "drop@17"});
  const std::vector<Part> parts = {{"plant-drawings.pdf", noise(9 * kMiB, 6)}, {"notes.txt", "see page 3\n"}};
  Queued q(crm.sim, mbox_with(id, parts), "max_attempts = 10\n");
  expect_pushed_once(q.push(), crm.db, id, parts);
  auto s = crm.sim.stats();
  EXPECT_EQ(s["faults_dropped"], 2);
  EXPECT_EQ(s["faults_status"], 2);
  EXPECT_EQ(s["block_commits"], 1);
  EXPECT_EQ(s["upload_blocks"], 6);  // the resumed upload sent its 3 blocks again
  EXPECT_EQ(s["api_requests"], 18);
}

TEST(PushBlocks, CommitCarriedOutButAnswerLostAttachesOnce) {
  const std::string id = "lost-commit-answer@test.example";
  // 1 check, 2 $batch, 3 Initialize, 4-6 UploadBlock, 7 Commit: the simulator
  // creates the attachment, then resets the connection instead of answering.
  // Sent again on a kept-alive connection, libcurl would repeat it by itself
  // (a second attachment); on its own connection the loss reaches the push,
  // which goes back to check: 8 check (open), 9 list (it is there), 10 PATCH.
  TempDir seed;
  SimWithFile crm(cache_with_limit(seed, "crm.jsonl", 32 * kMiB), {"--fault", "lost@7"});
  const std::vector<Part> parts = {{"plant-drawings.pdf", noise(9 * kMiB, 8)}};
  Queued q(crm.sim, mbox_with(id, parts), "max_attempts = 10\n");
  expect_pushed_once(q.push(), crm.db, id, parts);
  auto s = crm.sim.stats();
  EXPECT_EQ(s["faults_lost"], 1);
  EXPECT_EQ(s["block_commits"], 1);
  EXPECT_EQ(s["api_requests"], 10);
}

TEST(PushBlocks, ServerModeKeepsAttachmentsInline) {
  const std::string id = "server-mode-large@test.example";
  TempDir seed;
  SimWithFile crm(cache_with_limit(seed, "crm.jsonl", 32 * kMiB));
  const std::vector<Part> parts = {{"plant-drawings.pdf", noise(5 * kMiB, 7)}};
  Queued q(crm.sim, mbox_with(id, parts), "mode = \"server\"\n");
  auto r = q.push();
  EXPECT_EQ(r.code, kExitOk) << r.out << r.err;
  auto created = in_crm(crm.db, id);
  ASSERT_EQ(created.size(), 1u);
  expect_attachments(created[0], parts);
  EXPECT_EQ(crm.sim.stats()["upload_blocks"], 0);
}

}  // namespace
}  // namespace crmr::test
