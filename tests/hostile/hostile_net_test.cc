// Hostile servers and secrets (issue 5, items 4 and 6): a CRM answering
// invalid JSON, an HTTPS CRM with an untrusted certificate, IMAP servers that
// send garbage or stall next to a good one; and the mailbox password and CRM
// client secret never reaching argv, logs, reports or the database.
#include <httplib.h>

#include <filesystem>
#include <thread>

#include "storage/store.h"
#include "tests/cli/dovecot_fixture.h"
#include "tests/hostile/hostile_util.h"
#include "tests/core/mailbox/fake_imap_server.h"

namespace crmr::test {
namespace {

namespace fs = std::filesystem;
const std::string kCrmCanary = "S3cr3t-Canary-CRM-7f3a9";
const std::string kMailCanary = "S3cr3t-Canary-IMAP-41c2e";

std::int64_t pending(const std::string& db) {
  auto s = Store::open(db, OpenMode::ReadOnly);
  if (!s) return -1;
  auto st = (*s)->cache_stats();
  return st ? (*st)["outbox_pending"] : -1;
}

// A loopback CRM: a token endpoint, and a duplicate check that answers either
// invalid JSON or "this e-mail exists" (so a push succeeds without a $batch).
class FakeCrm {
 public:
  enum class Mode { InvalidJson, Exists };
  FakeCrm(httplib::Server* server, Mode mode) : server_(server) {
    server_->Post(R"(/.*/token)", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(R"({"access_token":"tok","token_type":"Bearer","expires_in":3600})",
                      "application/json");
    });
    server_->Get(R"(/api/data/v9.2/emails)", [this, mode](const httplib::Request&, httplib::Response& res) {
      ++requests;
      if (mode == Mode::InvalidJson)
        res.set_content("{\"value\": [ {\"activityid\": oops", "application/json");
      else
        res.set_content(R"({"value":[{"activityid":"aaaaaaaa-0000-0000-0000-000000000001"}]})",
                        "application/json");
    });
    port_ = server_->bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_->listen_after_bind(); });
    while (!server_->is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ~FakeCrm() {
    server_->stop();
    thread_.join();
  }
  std::string crm_toml(const std::string& scheme, const std::string& extra = {}) const {
    std::string base = scheme + "://127.0.0.1:" + std::to_string(port_);
    return "[crm]\nurl = \"" + base + "/api/data/v9.2/\"\ntenant = \"t1\"\ntoken_url = \"" + base +
           "/{tenant}/token\"\nclient_id = \"cid\"\nclient_secret_env = \"CRMR_CANARY_SECRET\"\n"
           "max_attempts = 1\ntimeout_s = 5\n" + extra;
  }
  std::atomic<int> requests{0};

 private:
  httplib::Server* server_;
  int port_ = 0;
  std::thread thread_;
};

// One queued message in a fresh database.
std::string queued_db(const TempDir& t) {
  auto db = new_db(t);
  auto r = run_cli({"--db", db, "--no-progress", "import", "--no-push", t.write("a.eml", mail("a1"))});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(pending(db), 1);
  return db;
}

void expect_no_canary(const std::string& what, const std::string& text, const std::string& canary) {
  EXPECT_EQ(text.find(canary), std::string::npos) << "the secret appears in " << what;
}

TEST(HostileCrm, InvalidJsonIsAClearErrorAndTheMessageStaysQueued) {
  TempDir t;
  auto db = queued_db(t);
  httplib::Server server;
  FakeCrm crm(&server, FakeCrm::Mode::InvalidJson);
  auto cfg = t.write("c.toml", "db = \"" + db + "\"\n" + crm.crm_toml("http"));
  const std::string log = t.file("crm.log");
  auto r = run_binary(t, {"--config", cfg, "-vv", "--no-progress", "--log-file", log, "--report",
                          t.file("r.json"), "push"},
                      {.env = {{"CRMR_CANARY_SECRET", kCrmCanary}}});
  EXPECT_NE(r.code, 0) << r.err;
  EXPECT_GT(crm.requests.load(), 0);
  auto j = report(t.file("r.json"));
  ASSERT_EQ(j["messages"].size(), 1u) << j.dump();
  EXPECT_EQ(j["messages"][0]["outcome"], "queued");
  EXPECT_NE(j["messages"][0]["error"].get<std::string>().find("JSON"), std::string::npos) << j.dump();
  EXPECT_EQ(pending(db), 1);
  // Item 6: the client secret is nowhere.
  expect_no_canary("argv", r.cmdline, kCrmCanary);
  expect_no_canary("stdout/stderr", r.out + r.err, kCrmCanary);
  expect_no_canary("the log file", read_file(log), kCrmCanary);
  expect_no_canary("the report", read_file(t.file("r.json")), kCrmCanary);
  for (const std::string fmt : {"json", "csv", "html", "text"})
    expect_no_canary("report --format " + fmt, run_cli({"--db", db, "report", "--format", fmt}).out, kCrmCanary);
  for (const auto& e : fs::directory_iterator(t.file("")))
    if (e.path().string().starts_with(db)) expect_no_canary(e.path(), read_file(e.path()), kCrmCanary);
}

// A self-signed certificate for 127.0.0.1, made with the openssl tool.
bool make_cert(const TempDir& t) {
  std::string cmd = "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 "
                    "-addext subjectAltName=IP:127.0.0.1 -keyout " + t.file("key.pem") + " -out " +
                    t.file("cert.pem") + " >/dev/null 2>&1";
  return std::system(cmd.c_str()) == 0;
}

TEST(HostileCrm, HttpsWithAnUntrustedCertificateFailsUnlessItsCaIsGiven) {
  TempDir t;
  if (!make_cert(t)) GTEST_SKIP() << "openssl not available";
  auto db = queued_db(t);
  httplib::SSLServer server(t.file("cert.pem").c_str(), t.file("key.pem").c_str());
  ASSERT_TRUE(server.is_valid());
  FakeCrm crm(&server, FakeCrm::Mode::Exists);

  auto untrusted = t.write("u.toml", "db = \"" + db + "\"\n" + crm.crm_toml("https"));
  auto r = run_binary(t, {"--config", untrusted, "--no-progress", "push"},
                      {.env = {{"CRMR_CANARY_SECRET", kCrmCanary}}});
  EXPECT_EQ(r.code, 4) << r.out << r.err;
  EXPECT_NE((r.out + r.err).find("TLS certificate problem"), std::string::npos) << r.out << r.err;
  EXPECT_EQ(crm.requests.load(), 0);
  EXPECT_EQ(pending(db), 1);

  auto trusted = t.write("t.toml", "db = \"" + db + "\"\n" +
                                       crm.crm_toml("https", "tls_ca_file = \"" + t.file("cert.pem") + "\"\n"));
  auto ok = run_binary(t, {"--config", trusted, "--no-progress", "push"},
                       {.env = {{"CRMR_CANARY_SECRET", kCrmCanary}}});
  EXPECT_EQ(ok.code, 0) << ok.out << ok.err;
  EXPECT_EQ(pending(db), 0);
}

TEST(HostileCrm, ClientSecretFileReadableByOthersIsWarnedAbout) {
  TempDir t;
  auto db = queued_db(t);
  httplib::Server server;
  FakeCrm crm(&server, FakeCrm::Mode::Exists);
  auto secret = t.write("secret", kCrmCanary + "\n");
  fs::permissions(secret, fs::perms::owner_read | fs::perms::owner_write | fs::perms::others_read);
  std::string toml = crm.crm_toml("http");
  toml.replace(toml.find("client_secret_env = \"CRMR_CANARY_SECRET\""), 40, "client_secret_file = \"" + secret + "\"");
  auto cfg = t.write("c.toml", "db = \"" + db + "\"\n" + toml);
  auto r = run_cli({"--config", cfg, "--no-progress", "push"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("client_secret_file " + secret + " is readable by group or others"),
            std::string::npos) << r.err;
  expect_no_canary("stderr", r.err + r.out, kCrmCanary);
  fs::permissions(secret, fs::perms::owner_read | fs::perms::owner_write);
  auto quiet = run_cli({"--config", cfg, "--no-progress", "push"});
  EXPECT_EQ(quiet.err.find("readable by group"), std::string::npos) << quiet.err;
}

// IMAP: servers that send garbage or stall are reported by name (exit 4) and
// the good mailbox, on a real Dovecot, is still processed; the mailbox
// password never appears anywhere.
TEST(HostileImap, GarbageAndStallingServersDoNotStopTheGoodMailbox) {
  Dovecot dovecot;
  if (!dovecot.start()) GTEST_SKIP() << "dovecot is not installed";
  TempDir t;
  auto db = new_db(t);
  dovecot.add_user("hostile", kMailCanary);
  dovecot.deliver("hostile", "m1", mail("g1"));
  FakeImapServer garbage(FakeImapServer::Mode::Garbage), stall(FakeImapServer::Mode::Stall);
  auto box = [&](const std::string& name, const std::string& url) {
    return "[[mailbox]]\nname = \"" + name + "\"\nurl = \"" + url +
           "\"\nuser = \"hostile\"\npassword_env = \"CRMR_CANARY_PW\"\nall = true\ntimeout_s = 2\n"
           "tls_ca_file = \"" + dovecot.ca_file() + "\"\n";
  };
  auto cfg = t.write("c.toml", "db = \"" + db + "\"\n" + box("junk", garbage.url()) +
                                   box("slow", stall.url()) + box("good", dovecot.imap_url()));
  const std::string log = t.file("run.log");
  auto r = run_binary(t, {"--config", cfg, "-vv", "--no-progress", "--log-file", log, "--report",
                          t.file("r.json"), "run"},
                      {.env = {{"CRMR_CANARY_PW", kMailCanary}}});
  dovecot.stop();
  EXPECT_EQ(r.code, 4) << r.err;
  EXPECT_NE(r.err.find("mailbox junk"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("mailbox slow"), std::string::npos) << r.err;
  EXPECT_EQ(outcomes(report(t.file("r.json"))),
            (std::map<std::string, std::vector<std::string>>{{"g1@customer.example", {"queued"}}}));
  expect_no_canary("argv", r.cmdline, kMailCanary);
  expect_no_canary("stdout/stderr", r.out + r.err, kMailCanary);
  expect_no_canary("the log file", read_file(log), kMailCanary);
  expect_no_canary("the report", read_file(t.file("r.json")), kMailCanary);
  for (const auto& e : fs::directory_iterator(t.file("")))
    if (e.path().string().starts_with(db)) expect_no_canary(e.path(), read_file(e.path()), kMailCanary);
}

}  // namespace
}  // namespace crmr::test
