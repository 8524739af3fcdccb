// Hostile and broken input (issue 5, items 4 and 5): every case ends with a
// clear error naming what and where, the documented exit status
// (crm-router(1), BAD INPUT / LIMITS / EXIT STATUS), and the valid messages
// around the bad one processed exactly once.
#include <sys/mount.h>

#include <filesystem>

#include "storage/store.h"
#include "tests/hostile/hostile_util.h"

namespace crmr::test {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

std::int64_t stat_of(const std::string& db, const char* what) {
  auto s = Store::open(db, OpenMode::ReadOnly);
  if (!s) return -1;
  auto st = (*s)->cache_stats();
  return st ? (*st)[what] : -1;
}

// Import `paths` with a JSON report; the report's outcomes by message id.
struct Imported {
  CliResult r;
  json report;
};
Imported import(const TempDir& t, const std::string& db, std::vector<std::string> paths,
                std::vector<std::string> pre = {}) {
  std::vector<std::string> args = pre;
  for (std::string a : {"--db", db.c_str(), "--no-progress", "--report"}) args.push_back(a);
  args.push_back(t.file("r.json"));
  args.push_back("import");
  args.insert(args.end(), paths.begin(), paths.end());
  Imported i;
  i.r = run_cli(args);
  i.report = report(t.file("r.json"));
  return i;
}

using Outcomes = std::map<std::string, std::vector<std::string>>;
const std::vector<std::string> kOnceQueued = {"queued"};

TEST(HostileInput, EmptyFileIsAnEmptyMailboxAndSaysSo) {
  TempDir t;
  auto db = new_db(t);
  auto i = import(t, db, {t.write("empty.mbox", ""), t.write("a.eml", mail("a1"))});
  EXPECT_EQ(i.r.code, 0) << i.r.err;
  EXPECT_NE(i.r.err.find(t.file("empty.mbox") + ": empty"), std::string::npos) << i.r.err;
  EXPECT_EQ(outcomes(i.report), (Outcomes{{"a1@customer.example", kOnceQueued}}));
}

TEST(HostileInput, BinaryFileIsNamedAsNotMailAndTheOtherPathsAreImported) {
  TempDir t;
  auto db = new_db(t);
  auto i = import(t, db, {t.write("a.eml", mail("a1")), "/bin/ls", t.write("b.eml", mail("b1"))});
  EXPECT_EQ(i.r.code, 7) << i.r.err;  // an input that cannot be read
  EXPECT_NE(i.r.err.find("/bin/ls is not mail"), std::string::npos) << i.r.err;
  EXPECT_EQ(outcomes(i.report), (Outcomes{{"a1@customer.example", kOnceQueued},
                                          {"b1@customer.example", kOnceQueued}}));
  EXPECT_EQ(stat_of(db, "outbox_pending"), 2);
}

TEST(HostileInput, TruncatedMboxKeepsEveryCompleteMessageExactlyOnce) {
  TempDir t;
  const std::string whole = mbox_entry(mail("t1")) + mbox_entry(mail("t2"));
  for (const std::string& cut : std::vector<std::string>{"From: Jane Doe <jane@custo", "Subject: half\nMessage-ID: <t3@cu",
                                mail("t3", "", "a body cut in the mid")}) {
    SCOPED_TRACE(cut);
    auto db = t.file("s" + std::to_string(cut.size()) + ".db");
    new_db(t, fs::path(db).filename());
    auto path = t.write("cut.mbox", whole + "From jane@customer.example Mon Jan  5 10:00:00 2026\n" + cut);
    auto i = import(t, db, {path});
    EXPECT_LE(i.r.code, 1) << i.r.err;
    auto o = outcomes(i.report);
    EXPECT_EQ(o["t1@customer.example"], kOnceQueued);
    EXPECT_EQ(o["t2@customer.example"], kOnceQueued);
    EXPECT_EQ(i.report["messages"].size(), 3u) << i.report.dump();
    // Again: nothing new, nothing twice.
    auto again = import(t, db, {path});
    for (const auto& m : again.report["messages"]) EXPECT_EQ(m["outcome"], "duplicate") << m.dump();
    EXPECT_EQ(stat_of(db, "ledger"), 3);
  }
}

TEST(HostileInput, TenThousandAttachmentsInOneMessage) {
  TempDir t;
  auto db = new_db(t);
  std::string body = "--B\nContent-Type: text/plain\n\nsee attached\n";
  for (int n = 0; n < 10000; ++n)
    body += "--B\nContent-Type: application/octet-stream; name=\"f" + std::to_string(n) +
            ".bin\"\nContent-Disposition: attachment; filename=\"f" + std::to_string(n) +
            ".bin\"\n\nx\n";
  body += "--B--\n";
  auto big = mail("many", "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"B\"\n", body);
  auto path = t.write("m.mbox", mbox_entry(mail("before")) + mbox_entry(big) + mbox_entry(mail("after")));
  auto i = import(t, db, {path});
  EXPECT_EQ(i.r.code, 0) << i.r.err;
  auto o = outcomes(i.report);
  EXPECT_EQ(o["before@customer.example"], kOnceQueued);
  EXPECT_EQ(o["many@customer.example"], kOnceQueued);
  EXPECT_EQ(o["after@customer.example"], kOnceQueued);
  const auto& m = i.report["messages"][1];
  EXPECT_GE(m["attachments"].size(), 9990u);
  EXPECT_LE(m["attachments"].size(), 10000u);
}

// `depth` multiparts, each holding the next; the innermost holds text.
std::string nested_multipart(int depth) {
  std::string body = "Content-Type: text/plain\n\ninnermost\n";
  for (int d = depth - 1; d >= 1; --d)
    body = "Content-Type: multipart/mixed; boundary=\"b" + std::to_string(d) + "\"\n\n--b" +
           std::to_string(d) + "\n" + body + "--b" + std::to_string(d) + "--\n";
  return body;  // a part: headers, blank line, content
}

TEST(HostileInput, MessagesNestedAThousandDeepAreRoutedWithoutRecursingIntoThem) {
  TempDir t;
  auto db = new_db(t);
  // message/rfc822 in message/rfc822 ... 1,000 deep: kept as one attachment,
  // never descended into; with --forward-mailbox one level is unwrapped.
  std::string inner = mail("deepest");
  for (int d = 0; d < 1000; ++d)
    inner = "From: layer" + std::to_string(d) + "@x.example\nSubject: layer\nMIME-Version: 1.0\n"
            "Content-Type: message/rfc822\n\n" + inner;
  auto rfc822 = mail("deep", "MIME-Version: 1.0\nContent-Type: message/rfc822\n", inner);
  // multipart in multipart ... 1,000 deep: parsed to max_depth, then a warning.
  auto part = nested_multipart(1000);
  auto split = part.find("\n\n");
  auto multipart = mail("deepmp", "MIME-Version: 1.0\n" + part.substr(0, split + 1), part.substr(split + 2));
  auto path = t.write("d.mbox", mbox_entry(mail("before")) + mbox_entry(rfc822) + mbox_entry(multipart) +
                                    mbox_entry(mail("after")));
  auto i = import(t, db, {path});
  EXPECT_EQ(i.r.code, 0) << i.r.err;
  auto o = outcomes(i.report);
  EXPECT_EQ(o["before@customer.example"], kOnceQueued);
  EXPECT_EQ(o["deep@customer.example"], kOnceQueued);
  EXPECT_EQ(o["deepmp@customer.example"], kOnceQueued);
  EXPECT_EQ(o["after@customer.example"], kOnceQueued);
  EXPECT_EQ(i.report["messages"][1]["attachments"].size(), 1u);
  EXPECT_NE(i.report["messages"][2]["warnings"].dump().find("nesting deeper than 32"), std::string::npos)
      << i.report["messages"][2]["warnings"].dump();

  new_db(t, "fwd.db");  // a dry run needs a cache that can decide, too
  auto fwd = run_cli({"--db", t.file("fwd.db"), "--dry-run", "--no-progress", "--report",
                      t.file("f.json"), "import", "--forward-mailbox", path});
  EXPECT_EQ(fwd.code, 0) << fwd.err;
  EXPECT_EQ(report(t.file("f.json"))["messages"].size(), 4u);
}

TEST(HostileInput, InvalidUtf8InEveryHeaderLeavesEveryReportValidUtf8) {
  TempDir t;
  auto db = new_db(t);
  const std::string bad = "\xff\xfe\xc3(\xed\xa0\x80\xf8\x88\x80\x80\x80\xc0\xaf";
  std::string msg = "From: " + bad + " <jane@customer.example>\nTo: " + bad + " <bob@contoso.example>\nCc: " +
                    bad + "@x" + bad + "\nSubject: " + bad + " =?utf-8?B?/w==?=\nMessage-ID: <u" + bad +
                    "@customer.example>\nDate: " + bad + "\nIn-Reply-To: <" + bad + ">\nX-" + bad + ": " +
                    bad + "\nContent-Type: text/plain; charset=\"" + bad + "\"\n\nbody " + bad + "\n";
  auto path = t.write("u.mbox", mbox_entry(mail("before")) + mbox_entry(msg) + mbox_entry(mail("after")));
  for (const std::string ext : {"json", "csv", "html", "txt"}) {
    SCOPED_TRACE(ext);
    auto r = run_cli({"--db", db, "--dry-run", "--no-progress", "--report", t.file("r." + ext), "import", path});
    EXPECT_EQ(r.code, 0) << r.err;
    auto text = read_file(t.file("r." + ext));
    EXPECT_FALSE(text.empty());
    EXPECT_TRUE(valid_utf8(text));
    EXPECT_TRUE(valid_utf8(r.out));
    if (ext == "json") {
      auto j = json::parse(text, nullptr, false);
      ASSERT_FALSE(j.is_discarded());
      EXPECT_EQ(j["messages"].size(), 3u);
    }
  }
  auto i = import(t, db, {path});
  EXPECT_EQ(i.report["messages"].size(), 3u);
  auto stored = run_cli({"--db", db, "report", "--format", "json"});
  EXPECT_TRUE(valid_utf8(stored.out));
}

TEST(HostileInput, CacheFileWithBadLinesNamesEachLineAndImportsTheRest) {
  TempDir t;
  auto path = t.write("c.jsonl",
                      R"({"entity":"contact","contactid":"c1","emailaddress1":"a@b.example","statecode":0}
{not json
{"entity":"martian","id":"x"}
{"entity":"contact","contactid":"c2","emailaddress1":"c@b.example","statecode":"zero"}
)" "\xff\xfe\n"
                      R"({"entity":"contact","contactid":"c3","emailaddress1":"d@b.example","statecode":0}
)");
  auto r = run_cli({"--db", t.file("s.db"), "cache", "import", path});
  EXPECT_EQ(r.code, 1);
  for (int line : {2, 3, 4, 5})
    EXPECT_NE(r.err.find(path + ":" + std::to_string(line) + ":"), std::string::npos) << r.err;
  EXPECT_EQ(stat_of(t.file("s.db"), "contact"), 2);
}

TEST(HostileInput, ConfigWithUnknownKeysAndWrongTypesListsEveryProblemAndExitsThree) {
  TempDir t;
  auto cfg = t.write("c.toml",
                     "db = 5\n[limits]\nmax_parts = \"many\"\nbogus = 1\n[routing]\nnope = true\n"
                     "[crm]\nurl = \"http://x/\"\nauth = \"bearer\"\ntoken_env = \"T\"\nclient_secret = \"zz\"\n");
  auto r = run_cli({"--config", cfg, "cache", "stats"});
  EXPECT_EQ(r.code, 3);
  for (const char* at : {":1: db", ":3: limits.max_parts", ":4: unknown key limits.bogus",
                         ":6: unknown key routing.nope", ":11: crm.client_secret"})
    EXPECT_NE(r.err.find(cfg + at), std::string::npos) << at << "\n" << r.err;
  EXPECT_EQ(r.err.find("zz"), std::string::npos) << "a secret value is never echoed";
}

TEST(HostileInput, DatabaseThatIsNotSqliteExitsSixAndIsLeftAlone) {
  TempDir t;
  const std::string text = "this is not a database, it is a letter to my aunt\n";
  auto db = t.write("state.db", text);
  for (std::vector<std::string> cmd : {std::vector<std::string>{"cache", "stats"},
                                       {"import", t.write("a.eml", mail("a1"))}}) {
    std::vector<std::string> args = {"--db", db};
    args.insert(args.end(), cmd.begin(), cmd.end());
    auto r = run_cli(args);
    EXPECT_EQ(r.code, 6) << r.err;
    EXPECT_NE(r.err.find(db + ": "), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("not a database"), std::string::npos) << r.err;
  }
  EXPECT_EQ(read_file(db), text);
}

// A small tmpfs of our own (root only): read-only and full-disk cases. Skips
// when mounting is not permitted.
class TmpfsMount {
 public:
  explicit TmpfsMount(const std::string& dir, const std::string& opts) : dir_(dir) {
    fs::create_directories(dir);
    ok_ = ::mount("tmpfs", dir.c_str(), "tmpfs", 0, opts.c_str()) == 0;
  }
  ~TmpfsMount() {
    if (ok_) ::umount2(dir_.c_str(), MNT_DETACH);
  }
  bool ok() const { return ok_; }
  bool remount(unsigned long flags, const std::string& opts) {
    return ::mount("tmpfs", dir_.c_str(), "tmpfs", MS_REMOUNT | flags, opts.c_str()) == 0;
  }

 private:
  std::string dir_;
  bool ok_ = false;
};

TEST(HostileInput, ReadOnlyDatabaseExitsSixAndNamesIt) {
  TempDir t;
  TmpfsMount m(t.file("ro"), "size=16m");
  if (!m.ok()) GTEST_SKIP() << "cannot mount a tmpfs here (needs root): read-only case not run";
  auto db = new_db(t, "ro/state.db");
  auto msg = t.write("a.eml", mail("a1"));
  ASSERT_TRUE(m.remount(MS_RDONLY, "size=16m"));
  auto r = run_cli({"--db", db, "--no-progress", "import", msg});
  EXPECT_EQ(r.code, 6) << r.err;
  EXPECT_NE(r.err.find(db), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("Read-only file system"), std::string::npos) << r.err;
  ASSERT_TRUE(m.remount(0, "size=16m"));
  auto ok = run_cli({"--db", db, "--no-progress", "import", msg});
  EXPECT_EQ(ok.code, 0) << ok.err;
  EXPECT_EQ(stat_of(db, "outbox_pending"), 1);
}

// 40 messages of 64 KB each: 2.5 MB, more than a 1 MB disk holds.
std::string forty_messages(const TempDir& t) {
  std::string mbox;
  for (int n = 0; n < 40; ++n) mbox += mbox_entry(mail("f" + std::to_string(n), "", std::string(64 * 1024, 'x') + "\n"));
  return t.write("f.mbox", mbox);
}

void expect_each_once(const std::string& db, int n) {
  EXPECT_EQ(stat_of(db, "ledger"), n);
  EXPECT_EQ(stat_of(db, "outbox_pending"), n);
}

TEST(HostileInput, FullDiskExitsSixAndARerunWithSpaceCompletesWithoutDuplicates) {
  TempDir t;
  TmpfsMount m(t.file("small"), "size=1m");
  if (!m.ok()) GTEST_SKIP() << "cannot mount a tmpfs here (needs root): full-disk case not run";
  auto db = new_db(t, "small/state.db");
  auto mbox = forty_messages(t);
  auto r = run_cli({"--db", db, "--no-progress", "import", mbox});
  EXPECT_EQ(r.code, 6) << r.err;
  EXPECT_NE(r.err.find(db), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("full"), std::string::npos) << r.err;
  ASSERT_TRUE(m.remount(0, "size=64m"));
  auto again = run_cli({"--db", db, "--no-progress", "import", mbox});
  EXPECT_EQ(again.code, 0) << again.err;
  expect_each_once(db, 40);
}

TEST(HostileInput, FileSizeLimitExitsSixAndARerunCompletesWithoutDuplicates) {
  TempDir t;
  auto db = new_db(t);
  auto mbox = forty_messages(t);
  ChildOptions o;
  o.max_file_bytes = 1024 * 1024;  // writes past 1 MB fail with EFBIG
  auto r = run_binary(t, {"--db", db, "--no-progress", "import", mbox}, o);
  EXPECT_EQ(r.code, 6) << r.err;
  EXPECT_NE(r.err.find(db), std::string::npos) << r.err;
  auto again = run_binary(t, {"--db", db, "--no-progress", "import", mbox});
  EXPECT_EQ(again.code, 0) << again.err;
  expect_each_once(db, 40);
}

// A message of `bytes` bytes (one base64 attachment), written in chunks.
std::string write_big_message(const TempDir& t, std::size_t bytes) {
  const std::string path = t.file("big.eml");
  std::ofstream f(path, std::ios::binary);
  std::string head = mail("big", "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"B\"\n",
                          "--B\nContent-Type: text/plain\n\nsee attached\n--B\nContent-Type: "
                          "application/octet-stream; name=\"a.bin\"\nContent-Transfer-Encoding: base64\n\n");
  f << head;
  std::string line = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0\n";
  std::string chunk;
  for (int i = 0; i < 1000; ++i) chunk += line;
  std::size_t left = bytes - head.size() - 8;
  while (left >= chunk.size()) {
    f << chunk;
    left -= chunk.size();
  }
  f << chunk.substr(0, left / line.size() * line.size()) << "\n--B--\n";
  return path;
}

TEST(HostileInput, HundredMegabyteMessageIsQueuedInBoundedMemory) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "peak memory means nothing under AddressSanitizer";
#endif
  TempDir t;
  auto db = new_db(t);
  auto big = write_big_message(t, 100'000'000);
  auto r = run_binary(t, {"--db", db, "--no-progress", "--report", t.file("r.json"), "import",
                          t.write("a.eml", mail("a1")), big, t.write("b.eml", mail("b1"))});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(outcomes(report(t.file("r.json"))),
            (Outcomes{{"a1@customer.example", kOnceQueued},
                      {"big@customer.example", kOnceQueued},
                      {"b1@customer.example", kOnceQueued}}));
  std::cout << "[ figure ] peak memory importing a 100 MB message: " << r.max_rss_kb / 1024
            << " MB\n";
  RecordProperty("peak_rss_kb", std::to_string(r.max_rss_kb));
  EXPECT_LT(r.max_rss_kb, 400 * 1024);
}

TEST(HostileInput, MessageOverMaxMessageBytesFailsWithTheLimitNamed) {
  TempDir t;
  auto db = new_db(t);
  auto big = write_big_message(t, 3'000'000);
  auto cfg = t.write("c.toml", "[limits]\nmax_message_bytes = 2000000\n");
  auto i = import(t, db, {t.write("a.eml", mail("a1")), big, t.write("b.eml", mail("b1"))},
                  {"--config", cfg});
  EXPECT_EQ(i.r.code, 1) << i.r.err;
  auto o = outcomes(i.report);
  EXPECT_EQ(o["a1@customer.example"], kOnceQueued);
  EXPECT_EQ(o["b1@customer.example"], kOnceQueued);
  EXPECT_EQ(o[""], std::vector<std::string>{"failed"});
  EXPECT_NE(i.r.out.find(big + " is over the limit of 2000000 bytes"), std::string::npos) << i.r.out;
}

// Item 5: every [limits] key is read from the config file and applies.
struct LimitCase {
  std::string key_value;
  std::string extra_headers;
  std::string body;
  std::string warning;  // a substring of the message's warnings
};

TEST(HostileInput, EveryParseLimitIsConfigurableAndApplies) {
  std::string parts;
  for (int n = 0; n < 20; ++n) parts += "--B\nContent-Type: text/plain\n\npart " + std::to_string(n) + "\n";
  parts += "--B--\n";
  auto nested_part = nested_multipart(6);
  auto cut = nested_part.find("\n\n");
  const std::string multipart = "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"B\"\n";
  const std::vector<LimitCase> cases = {
      {"max_header_line = 200", "X-Long: " + std::string(1000, 'a') + "\n", "b\n", "cut"},
      {"max_header_bytes = 600", "X-Pad: " + std::string(150, 'p') + "\nX-Pad: " + std::string(150, 'p') +
                                     "\nX-Pad: " + std::string(150, 'p') + "\nX-Pad: " + std::string(150, 'p') + "\n",
       "b\n", "header"},
      {"max_parts = 5", multipart, parts, "part"},
      {"max_depth = 2", "MIME-Version: 1.0\n" + nested_part.substr(0, cut + 1), nested_part.substr(cut + 2),
       "nesting deeper than 2"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.key_value);
    TempDir t;
    auto db = new_db(t);
    auto cfg = t.write("c.toml", "[limits]\n" + c.key_value + "\n");
    auto path = t.write("m.eml", mail("lim", c.extra_headers, c.body));
    auto without = import(t, db, {path}, {"--dry-run"});
    auto w0 = without.report["messages"][0]["warnings"].dump();
    EXPECT_EQ(w0.find(c.warning), std::string::npos) << "default limits: " << w0;
    auto with = import(t, db, {path}, {"--dry-run", "--config", cfg});
    EXPECT_EQ(with.r.code, 0) << with.r.err;
    auto w = with.report["messages"][0]["warnings"].dump();
    EXPECT_NE(w.find(c.warning), std::string::npos) << w;
  }
}

// Item 6: SQL only with bound parameters; hostile ids go in and out unchanged.
TEST(HostileInput, HostileMessageIdsAndAddressesLeaveTheDatabaseIntact) {
  TempDir t;
  auto db = new_db(t);
  const std::vector<std::string> ids = {
      "x'); DROP TABLE ledger; --@evil.example", "a\"b;c@evil.example",
      "'; DELETE FROM outbox WHERE ''='@evil.example", "o''brien\\%_*@evil.example"};
  std::string mbox;
  for (const auto& id : ids)
    mbox += mbox_entry("From: \"Robert'); DROP TABLE contact;--\" <jane@customer.example>\nTo: "
                       "bob@contoso.example, \"x';--\" <'; DROP TABLE queue;--@evil.example>\n"
                       "Subject: '; DROP TABLE runs; --\nMessage-ID: <" + id + ">\n\nbody\n");
  auto path = t.write("h.mbox", mbox);
  auto i = import(t, db, {path});
  EXPECT_EQ(i.r.code, 0) << i.r.err;
  std::vector<std::string> got, ids_without_space = ids;
  for (const auto& m : i.report["messages"]) got.push_back(m["message_id"]);
  for (auto& id : ids_without_space) std::erase(id, ' ');  // a Message-ID has no spaces: they go
  EXPECT_EQ(got, ids_without_space);
  EXPECT_EQ(stat_of(db, "ledger"), 4);
  EXPECT_EQ(stat_of(db, "outbox_pending"), 4);
  EXPECT_EQ(stat_of(db, "contact"), 1);
  auto again = import(t, db, {path});
  for (const auto& m : again.report["messages"]) EXPECT_EQ(m["outcome"], "duplicate");
  EXPECT_EQ(run_cli({"--db", db, "cache", "stats"}).code, 0);
}

}  // namespace
}  // namespace crmr::test
