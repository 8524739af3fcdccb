// `quarantine list|export|retry` end to end, on real input: a message from
// the corpus that cannot be parsed, a message the CRM (dataverse-sim) refuses
// for an attachment extension the cache did not know to be blocked, and the
// same forwarded as an attachment (import --forward-mailbox, and a forward
// mailbox on a real Dovecot). Real database files.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "cli/exit_codes.h"
#include "storage/store.h"
#include "tests/cli/cli_harness.h"
#include "tests/cli/dovecot_fixture.h"
#include "tests/core/crm/sim_harness.h"

namespace crmr::test {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

// git's mailinfo test "nul-plain": an mbox of one message with no header at
// all (parse.not_a_message). What is stored is the message after its From_ line.
const std::string kBare = std::string(CRMR_CORPUS_DIR) + "/git-mailinfo/t/t5100/nul-plain";

std::string bare_message_bytes() {
  std::string mbox = read_file(kBare);
  return mbox.substr(mbox.find('\n') + 1);
}

// Jane (a CRM contact) to Megan (a CRM user taking all mail), with notes.xyz.
std::string survey(const std::string& id, const std::string& to = "megan.bowen@contoso.example") {
  return "From: Jane Doe <jane.doe@fabrikam.example>\r\nTo: " + to +
         "\r\nSubject: Site survey notes\r\nDate: Fri, 01 May 2026 10:00:00 +0000\r\n"
         "Message-ID: <" + id + ">\r\nMIME-Version: 1.0\r\n"
         "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\n"
         "Content-Type: text/plain\r\n\r\nNotes attached.\r\n--b\r\n"
         "Content-Type: application/octet-stream\r\n"
         "Content-Disposition: attachment; filename=\"notes.xyz\"\r\n"
         "Content-Transfer-Encoding: base64\r\n\r\naGVsbG8gd29ybGQK\r\n--b--\r\n";
}

// survey(id) to Omar (a contact, no CRM user), forwarded as an attachment by
// Megan: accepted only for its forwarding user (filtering method 0).
std::string forwarded_survey(const std::string& id) {
  return "From: Megan Bowen <megan.bowen@contoso.example>\r\nTo: crm-forward@contoso.example\r\n"
         "Subject: FW: Site survey notes\r\nMessage-ID: <outer-" + id + ">\r\n"
         "Date: Fri, 01 May 2026 11:00:00 +0000\r\nMIME-Version: 1.0\r\n"
         "Content-Type: multipart/mixed; boundary=\"o\"\r\n\r\n--o\r\n"
         "Content-Type: text/plain\r\n\r\nplease file\r\n--o\r\n"
         "Content-Type: message/rfc822\r\n\r\n" + survey(id, "omar.haddad@fabrikam.example") +
         "\r\n--o--\r\n";
}

std::vector<QuarantineItem> quarantine_of(const std::string& db) {
  auto s = Store::open(db, OpenMode::ReadOnly);
  if (!s) return {};
  auto l = (*s)->quarantine_list();
  return l ? *l : std::vector<QuarantineItem>{};
}

std::int64_t stat(const std::string& db, const char* what) {
  auto s = Store::open(db, OpenMode::ReadOnly);
  return s ? (*(*s)->cache_stats())[what] : -1;
}

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// A database with the demo cache and the bare message quarantined by import.
struct BareQuarantined {
  TempDir dir;
  std::string db = dir.file("state.db");
  BareQuarantined() {
    EXPECT_EQ(run_cli({"--db", db, "cache", "import", source_path("demo/cache.jsonl")}).code, 0);
    auto r = run_cli({"--db", db, "import", kBare});
    EXPECT_EQ(r.code, kExitPartial) << r.out << r.err;
  }
  CliResult cli(std::vector<std::string> args) {
    args.insert(args.begin(), {"--db", db});
    return run_cli(args);
  }
};

TEST(Quarantine, EmptyQuarantineSaysSoAndExitsZero) {
  TempDir t;
  const std::string db = t.file("s.db");
  // (A database that does not exist is an error: see exit_codes_test.cc.)
  ASSERT_EQ(run_cli({"--db", db, "cache", "import", source_path("demo/cache.jsonl")}).code, kExitOk);
  auto l = run_cli({"--db", db, "quarantine", "list"});
  EXPECT_EQ(l.code, kExitOk) << l.err;
  EXPECT_EQ(l.out, "quarantine is empty\n");
  auto j = run_cli({"--db", db, "quarantine", "list", "--json"});
  EXPECT_EQ(j.code, kExitOk);
  EXPECT_EQ(json::parse(j.out), json::parse(R"({"count":0,"quarantine":[]})"));
  auto e = run_cli({"--db", db, "quarantine", "export", "--all", "--to", t.file("out")});
  EXPECT_EQ(e.code, kExitOk) << e.err;
  EXPECT_TRUE(has(e.out, "nothing to export"));
  EXPECT_FALSE(fs::exists(t.file("out")));
  auto r = run_cli({"--db", db, "quarantine", "retry", "--all"});
  EXPECT_EQ(r.code, kExitOk) << r.err;
  EXPECT_TRUE(has(r.out, "nothing to retry"));
}

TEST(Quarantine, UnparseableMessageIsListedAsTextAndJson) {
  BareQuarantined q;
  auto l = q.cli({"quarantine", "list"});
  ASSERT_EQ(l.code, kExitOk) << l.err;
  auto items = quarantine_of(q.db);
  ASSERT_EQ(items.size(), 1u);
  const auto& it = items[0];
  // A header row, then id, when, source, position, key (no Message-ID), error
  // in columns: one line.
  EXPECT_TRUE(has(l.out, "ID  WHEN ")) << l.out;
  EXPECT_TRUE(has(l.out, "\n" + std::to_string(it.id) + "   " + it.when + "  " + kBare +
                             "  #1        sha256:"))
      << l.out;
  EXPECT_TRUE(has(l.out, "  no header fields found: this is not an e-mail message\n")) << l.out;
  EXPECT_TRUE(has(l.out, "1 message(s) in quarantine"));

  auto j = q.cli({"quarantine", "list", "--json"});
  ASSERT_EQ(j.code, kExitOk);
  json doc = json::parse(j.out);
  ASSERT_EQ(doc["count"], 1);
  const json& e = doc["quarantine"][0];
  EXPECT_EQ(e["id"], it.id);
  EXPECT_EQ(e["source"], kBare);
  EXPECT_EQ(e["position"], "#1");
  EXPECT_EQ(e["key"].get<std::string>().rfind("sha256:", 0), 0u);
  EXPECT_TRUE(e["message_id"].is_null());
  EXPECT_EQ(e["stage"], "parse");
  EXPECT_EQ(e["bytes"], bare_message_bytes().size());
  EXPECT_EQ(e["error"], "no header fields found: this is not an e-mail message");
  EXPECT_FALSE(e["when"].get<std::string>().empty());
}

TEST(Quarantine, ExportWritesTheStoredBytesAndNeverOverwrites) {
  BareQuarantined q;
  const auto id = std::to_string(quarantine_of(q.db).at(0).id);
  const std::string out = q.dir.file("export/new");  // made if missing
  const std::string file = out + "/" + id + ".eml";

  auto dry = q.cli({"--dry-run", "quarantine", "export", id, "--to", out});
  EXPECT_EQ(dry.code, kExitOk) << dry.err;
  EXPECT_TRUE(has(dry.out, "would write " + file));
  EXPECT_FALSE(fs::exists(out));

  auto e = q.cli({"quarantine", "export", id, "--to", out});
  ASSERT_EQ(e.code, kExitOk) << e.err;
  EXPECT_TRUE(has(e.out, "wrote " + file)) << e.out;
  EXPECT_EQ(read_file(file), bare_message_bytes());

  // An existing file is never replaced, whether named or in --all.
  std::ofstream(file, std::ios::binary | std::ios::trunc) << "mine";
  for (auto args : {std::vector<std::string>{"quarantine", "export", id, "--to", out},
                    std::vector<std::string>{"quarantine", "export", "--all", "--to", out}}) {
    auto again = q.cli(args);
    EXPECT_EQ(again.code, kExitUsage);
    EXPECT_TRUE(has(again.err, "will not overwrite " + file)) << again.err;
    EXPECT_EQ(read_file(file), "mine");
  }
}

TEST(Quarantine, UnknownIdsAndAMissingSelectionAreUsageErrors) {
  BareQuarantined q;
  const std::string before = read_file(q.db);
  auto r = q.cli({"quarantine", "retry", "42", "1"});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_TRUE(has(r.err, "no quarantine item 42 ")) << r.err;
  auto e = q.cli({"quarantine", "export", "7", "9", "--to", q.dir.file("x")});
  EXPECT_EQ(e.code, kExitUsage);
  EXPECT_TRUE(has(e.err, "no quarantine items 7, 9")) << e.err;
  EXPECT_FALSE(fs::exists(q.dir.file("x")));
  auto none = q.cli({"quarantine", "retry"});
  EXPECT_EQ(none.code, kExitUsage);
  EXPECT_TRUE(has(none.err, "--all")) << none.err;
  auto both = q.cli({"quarantine", "retry", "1", "--all"});
  EXPECT_EQ(both.code, kExitUsage);
  EXPECT_TRUE(has(both.err, "not both")) << both.err;
  EXPECT_EQ(q.cli({"quarantine", "export", "1"}).code, kExitUsage);  // --to is required
  EXPECT_EQ(q.cli({"quarantine", "retry", "one"}).code, kExitUsage);
  EXPECT_EQ(read_file(q.db), before);
  EXPECT_EQ(quarantine_of(q.db).size(), 1u);
}

TEST(Quarantine, RetryOfAStillUnparseableMessageKeepsOneRow) {
  BareQuarantined q;
  for (const char* which : {"1", "--all"}) {
    auto r = q.cli({"quarantine", "retry", which});
    EXPECT_EQ(r.code, kExitPartial) << r.out << r.err;
    EXPECT_TRUE(has(r.out, "quarantined (ParseError): no header fields found")) << r.out;
    auto items = quarantine_of(q.db);
    ASSERT_EQ(items.size(), 1u);
    EXPECT_EQ(items[0].source, kBare);
    EXPECT_EQ(items[0].position, "#1");
    EXPECT_EQ(items[0].ledger_outcome, "quarantined");
    EXPECT_EQ(stat(q.db, "ledger"), 1);
  }
  // Each retry is a run of its own in the report history.
  auto runs = q.cli({"report", "--list"});
  EXPECT_TRUE(has(runs.out, "\tquarantine retry\t")) << runs.out;
}

TEST(Quarantine, DryRunRetryChangesNothing) {
  BareQuarantined q;
  const std::string before = read_file(q.db);
  auto r = q.cli({"--dry-run", "quarantine", "retry", "--all"});
  EXPECT_EQ(r.code, kExitPartial) << r.err;
  // Decided as new (not as a duplicate of its own ledger row).
  EXPECT_TRUE(has(r.out, "would be quarantined (ParseError)")) << r.out;
  EXPECT_TRUE(has(r.out, "(dry run)"));
  EXPECT_EQ(read_file(q.db), before);
}

// dataverse-sim whose organisation blocks .xyz (the demo cache does not know
// it), a config for it, the demo cache imported.
struct RefusingCrm {
  TempDir dir;
  std::string org = dir.write("org.jsonl", R"({"entity":"organization","blockedattachments":"exe;xyz"})" "\n");
  Sim sim{{"--seed", source_path("demo/cache.jsonl"), "--seed", org}};
  std::string db = dir.file("state.db");
  std::string config;

  explicit RefusingCrm(const std::string& mailboxes = {}) {
    config = dir.write("c.toml", "db = \"" + db + "\"\nprogress = false\n" + mailboxes + sim.crm_toml());
    EXPECT_EQ(cli({"cache", "import", source_path("demo/cache.jsonl")}).code, 0);
  }
  CliResult cli(std::vector<std::string> args) {
    args.insert(args.begin(), {"--config", config});
    return run_cli(args);
  }
  // The binary in a child process with CRMR_CRASH_AT set; its exit status.
  int crash(const std::string& at, std::vector<std::string> args) {
    args.insert(args.begin(), {"--config", config});
    return run_binary(args, at);
  }
};

// The cause fixed (the cache learns the organisation's blocked list), `retry
// --all` queues the one quarantined message for AcceptAll and pushes it: the
// quarantine is empty and the CRM holds `message_id` exactly once.
void retry_after_sync_pushes_once(RefusingCrm& crm, const std::string& message_id) {
  ASSERT_EQ(crm.cli({"sync", "--only", "organization"}).code, kExitOk);
  auto retry = crm.cli({"quarantine", "retry", "--all"});
  EXPECT_EQ(retry.code, kExitOk) << retry.out << retry.err;
  EXPECT_TRUE(has(retry.out, "queued (AcceptAll)")) << retry.out;
  EXPECT_TRUE(quarantine_of(crm.db).empty());
  auto ids = crm.sim.received_message_ids();
  ASSERT_EQ(ids.size(), 1u);
  EXPECT_EQ(ids[message_id], 1);
}

TEST(QuarantineSim, RefusedByTheCrmThenPushedOnceAfterTheCacheIsSynced) {
  RefusingCrm crm;
  ASSERT_GT(crm.sim.port(), 0);
  auto i = crm.cli({"import", crm.dir.write("survey.eml", survey("survey-1@fabrikam.example"))});
  EXPECT_EQ(i.code, kExitPartial) << i.out << i.err;  // queued, then refused by the push
  EXPECT_EQ(crm.sim.received_message_ids().size(), 0u);

  auto l = crm.cli({"quarantine", "list"});
  EXPECT_TRUE(has(l.out, "  <survey-1@fabrikam.example>  ")) << l.out;
  EXPECT_TRUE(has(l.out, "0x80043e09")) << l.out;
  EXPECT_TRUE(has(l.out, "notes.xyz")) << l.out;
  json doc = json::parse(crm.cli({"quarantine", "list", "--json"}).out);
  ASSERT_EQ(doc["count"], 1);
  EXPECT_EQ(doc["quarantine"][0]["stage"], "push");
  EXPECT_EQ(doc["quarantine"][0]["message_id"], "survey-1@fabrikam.example");

  // The export is the message exactly as it was routed.
  auto ex = crm.cli({"quarantine", "export", "--all", "--to", crm.dir.file("out")});
  ASSERT_EQ(ex.code, kExitOk) << ex.err;
  const auto id = std::to_string(quarantine_of(crm.db).at(0).id);
  EXPECT_EQ(read_file(crm.dir.file("out/" + id + ".eml")), survey("survey-1@fabrikam.example"));

  // Retried before the cause is fixed: queued, pushed, refused again; one row.
  auto again = crm.cli({"quarantine", "retry", id});
  EXPECT_EQ(again.code, kExitPartial) << again.out << again.err;
  EXPECT_TRUE(has(again.out, "queued (AcceptAll)")) << again.out;
  auto items = quarantine_of(crm.db);
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].ledger_outcome, "failed");
  EXPECT_TRUE(has(items[0].error, "0x80043e09"));
  EXPECT_EQ(crm.sim.received_message_ids().size(), 0u);

  // The cause fixed: the cache learns that .xyz is blocked, so the decision
  // leaves the attachment out.
  ASSERT_EQ(crm.cli({"sync", "--only", "organization"}).code, kExitOk);
  const std::string before = read_file(crm.db);
  auto dry = crm.cli({"--dry-run", "quarantine", "retry", "--all"});
  EXPECT_EQ(dry.code, kExitOk) << dry.err;
  EXPECT_TRUE(has(dry.out, "would be queued (AcceptAll)")) << dry.out;
  EXPECT_EQ(read_file(crm.db), before);
  EXPECT_EQ(crm.sim.received_message_ids().size(), 0u);

  // Killed after the new outcome is recorded, before its transaction
  // commits: the message is still in quarantine, nothing queued or sent.
  EXPECT_EQ(crm.crash("commit:1", {"quarantine", "retry", "--all"}), 137);
  ASSERT_EQ(quarantine_of(crm.db).size(), 1u);
  EXPECT_EQ(stat(crm.db, "outbox_pending"), 0);
  EXPECT_EQ(crm.sim.received_message_ids().size(), 0u);

  auto fixed = crm.cli({"quarantine", "retry", "--all"});
  EXPECT_EQ(fixed.code, kExitOk) << fixed.out << fixed.err;
  EXPECT_TRUE(has(fixed.out, "1 pushed")) << fixed.out;
  EXPECT_TRUE(quarantine_of(crm.db).empty());
  EXPECT_EQ(crm.cli({"quarantine", "list"}).out, "quarantine is empty\n");
  auto ids = crm.sim.received_message_ids();
  ASSERT_EQ(ids.size(), 1u);
  EXPECT_EQ(ids["<survey-1@fabrikam.example>"], 1);
  auto created = crm.sim.created_emails();
  ASSERT_EQ(created.size(), 1u);
  EXPECT_TRUE(created[0]["attachments"].empty()) << created[0].dump();
  EXPECT_TRUE(has(created[0].value("description", ""), "notes.xyz"));

  // Nothing left to retry, nothing sent twice.
  EXPECT_EQ(crm.cli({"push"}).code, kExitOk);
  EXPECT_EQ(crm.sim.received_message_ids().size(), 1u);
  EXPECT_EQ(stat(crm.db, "ledger"), 1);
}

TEST(QuarantineSim, NoPushOnlyQueues) {
  RefusingCrm crm;
  crm.cli({"import", crm.dir.write("survey.eml", survey("survey-2@fabrikam.example"))});
  ASSERT_EQ(quarantine_of(crm.db).size(), 1u);
  ASSERT_EQ(crm.cli({"sync", "--only", "organization"}).code, kExitOk);
  auto r = crm.cli({"quarantine", "retry", "--all", "--no-push"});
  EXPECT_EQ(r.code, kExitOk) << r.out << r.err;
  EXPECT_TRUE(quarantine_of(crm.db).empty());
  EXPECT_EQ(stat(crm.db, "outbox_pending"), 1);
  EXPECT_EQ(crm.sim.received_message_ids().size(), 0u);
  EXPECT_EQ(crm.cli({"push"}).code, kExitOk);
  EXPECT_EQ(crm.sim.received_message_ids().size(), 1u);
}

// A forward mailbox: the message the CRM refused is the inner one, accepted
// for its forwarding user. Its retry must neither unwrap it again nor forget
// who forwarded it (else no CRM recipient: tossed).
TEST(QuarantineRun, ForwardMailboxRetryKeepsTheForwardingUser) {
  ScopedDovecot server;
  if (!server.start()) GTEST_SKIP() << "dovecot is not installed";
  server.add_user("fwd", "right-password");
  setenv("CRMR_TEST_PW", "right-password", 1);
  server.deliver("fwd", "m1", forwarded_survey("survey-3@fabrikam.example"));
  RefusingCrm crm(server.mailbox_toml("forward", "fwd", "CRMR_TEST_PW", "all = true\nrole = \"forward\"\n"));
  auto r = crm.cli({"run"});
  EXPECT_EQ(r.code, kExitPartial) << r.out << r.err;
  auto items = quarantine_of(crm.db);
  ASSERT_EQ(items.size(), 1u) << r.out;
  EXPECT_EQ(items[0].source, "forward/INBOX");
  EXPECT_EQ(items[0].message_id, "survey-3@fabrikam.example");
  EXPECT_EQ(json::parse(items[0].decision_json)["forwarded_by"], "megan.bowen@contoso.example");

  retry_after_sync_pushes_once(crm, "<survey-3@fabrikam.example>");
}

// The same imported with --forward-mailbox (no mailbox configured): the
// decision kept with the refused message names its forwarding user in
// "forwarded_by", and the retry decides for that user again (role Forward).
TEST(QuarantineSim, ForwardedImportRetryKeepsTheForwardingUser) {
  RefusingCrm crm;
  auto i = crm.cli({"import", "--forward-mailbox",
                    crm.dir.write("fw.eml", forwarded_survey("survey-5@fabrikam.example"))});
  EXPECT_EQ(i.code, kExitPartial) << i.out << i.err;  // queued, then refused by the push
  auto items = quarantine_of(crm.db);
  ASSERT_EQ(items.size(), 1u) << i.out;
  EXPECT_EQ(items[0].message_id, "survey-5@fabrikam.example");
  const json decision = json::parse(items[0].decision_json);
  EXPECT_EQ(decision["forwarded_by"], "megan.bowen@contoso.example");
  EXPECT_EQ(decision["reason"], "AcceptAll");
  EXPECT_TRUE(decision["warnings"].empty()) << "who forwarded it is a field, not a warning";

  retry_after_sync_pushes_once(crm, "<survey-5@fabrikam.example>");
}

// explain --quarantine decides a refused message as retry would: not
// unwrapped again, accepted for its forwarding user (Omar alone is no CRM
// recipient), its own ledger row not consulted, and it changes nothing.
TEST(QuarantineSim, ExplainOfARefusedForwardDecidesAsRetryWould) {
  RefusingCrm crm;
  auto i = crm.cli({"import", "--forward-mailbox",
                    crm.dir.write("fw.eml", forwarded_survey("survey-6@fabrikam.example"))});
  EXPECT_EQ(i.code, kExitPartial) << i.out << i.err;
  auto items = quarantine_of(crm.db);
  ASSERT_EQ(items.size(), 1u) << i.out;
  ASSERT_EQ(crm.cli({"sync", "--only", "organization"}).code, kExitOk);
  const std::string before = read_file(crm.db);
  const std::string id = std::to_string(items[0].id);
  auto e = crm.cli({"explain", "--quarantine", id});
  EXPECT_EQ(e.code, kExitOk) << e.out << e.err;
  EXPECT_TRUE(has(e.out, "== quarantine item " + id + ": ")) << e.out;
  EXPECT_TRUE(has(e.out, "Ledger: failed (refused by the CRM), run 1 at ")) << e.out;
  EXPECT_TRUE(has(e.out, "ignored: the ledger row of quarantine item " + id + " itself")) << e.out;
  EXPECT_TRUE(has(e.out, "=> queued (AcceptAll)")) << e.out;
  EXPECT_TRUE(has(e.out, "Attachment notes.xyz: left out")) << e.out;
  EXPECT_FALSE(has(e.out, "Unwrapped")) << e.out;
  EXPECT_EQ(read_file(crm.db), before);
}

// A decision stored before "forwarded_by" existed names the forwarding user
// only in a warning's text. That text is not parsed: the retry knows no
// forwarding user, and Omar alone is no CRM recipient.
TEST(QuarantineSim, DecisionWithoutForwardedByIsRetriedWithoutAForwardingUser) {
  RefusingCrm crm;
  crm.cli({"import", "--forward-mailbox",
           crm.dir.write("fw.eml", forwarded_survey("survey-6@fabrikam.example"))});
  ASSERT_EQ(quarantine_of(crm.db).size(), 1u);
  auto now = crm.cli({"--dry-run", "quarantine", "retry", "--all"});
  EXPECT_TRUE(has(now.out, "would be queued (AcceptAll)")) << now.out << now.err;

  sqlite3* h = nullptr;
  ASSERT_EQ(sqlite3_open(crm.db.c_str(), &h), SQLITE_OK);
  const char* as_before =
      "UPDATE outbox SET decision_json = json_insert(json_remove(decision_json, "
      "'$.forwarded_by'), '$.warnings[#]', "
      "'unwrapped from a message forwarded by megan.bowen@contoso.example')";
  EXPECT_EQ(sqlite3_exec(h, as_before, nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(h);
  EXPECT_EQ(sqlite3_changes(h), 1);
  sqlite3_close(h);
  ASSERT_FALSE(json::parse(quarantine_of(crm.db).at(0).decision_json).contains("forwarded_by"));

  auto old = crm.cli({"--dry-run", "quarantine", "retry", "--all"});
  EXPECT_EQ(old.code, kExitOk) << old.err;
  EXPECT_TRUE(has(old.out, "would be tossed (NoRecipientMatch)")) << old.out;
}

}  // namespace
}  // namespace crmr::test
