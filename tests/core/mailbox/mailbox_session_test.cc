// MailboxSession (IMAP and POP3) against a real Dovecot on loopback, started
// by scripts/dovecot-test-server for this test binary; plus a scripted fake
// server for stalls and garbage. Skips when dovecot is not installed.
#include "core/mailbox_session.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "tests/core/mailbox/fake_imap_server.h"
#include "tests/support/result_matchers.h"

namespace crmr {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

std::string run_capture(const std::string& cmd, int* status) {
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return out;
  char buf[4096];
  while (std::size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  *status = ::pclose(p);
  return out;
}

// The one Dovecot of this test binary, started on first use.
struct Dovecot {
  bool up = false;
  std::string why_not;
  std::map<std::string, std::string> vars;

  static Dovecot& get() {
    static Dovecot* d = new Dovecot(start());  // never destroyed: the atexit stop reads it
    return *d;
  }
  static Dovecot start() {
    Dovecot d;
    int status = 0;
    std::string out = run_capture(std::string(CRMR_DOVECOT_SCRIPT) + " start 2>&1", &status);
    if (status != 0) {
      d.why_not = WEXITSTATUS(status) == 2 ? "dovecot is not installed (run scripts/setup-deps)"
                                           : "dovecot-test-server failed: " + out;
      return d;
    }
    std::istringstream in(out);
    for (std::string line; std::getline(in, line);)
      if (auto eq = line.find('='); eq != std::string::npos) d.vars[line.substr(0, eq)] = line.substr(eq + 1);
    d.up = true;
    if (std::getenv("CRMR_KEEP_DOVECOT")) return d;  // for debugging: leave it running
    std::atexit([] {  // in the background: Dovecot takes ~3 s to shut down
      std::string cmd = std::string(CRMR_DOVECOT_SCRIPT) + " stop " + get().vars["DOVECOT_DIR"] +
                        " >/dev/null 2>&1 &";
      [[maybe_unused]] int rc = std::system(cmd.c_str());
    });
    return d;
  }
  std::string dir() { return vars["DOVECOT_DIR"]; }
  std::string url(const char* scheme, const char* port_var) {
    return std::string(scheme) + "://127.0.0.1:" + vars[port_var];
  }
};

// The ids of list_ids, or its error.
Result<std::vector<std::string>> list(MailboxSession& s, std::uint32_t after,
                                      std::optional<std::int64_t> since) {
  auto l = s.list_ids(after, since);
  if (!l) return std::unexpected(l.error());
  return l->ids;
}

#define REQUIRE_DOVECOT()                                                  \
  if (!Dovecot::get().up) GTEST_SKIP() << Dovecot::get().why_not

// Message bytes as Dovecot returns them: LF line ends become CRLF.
std::string crlf(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\n') out += '\r';
    out += c;
  }
  return out;
}

std::string sample_message(int i, std::size_t filler = 0) {
  std::string m = "From: sender" + std::to_string(i) + "@example.com\nTo: crm@example.com\n"
                  "Subject: message " + std::to_string(i) + "\nMessage-ID: <m" + std::to_string(i) +
                  "@example.com>\n\nBody of message " + std::to_string(i) + "\n";
  for (std::size_t k = 0; k < filler; k += 64) m += std::string(63, 'a' + (k / 64) % 26) + "\n";
  return m;
}

// A fresh user (its own Maildir) per test, so tests do not see each other's mail.
class MailboxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    REQUIRE_DOVECOT();
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    user_ = std::string("u") + std::to_string(++counter_) + "_" + info->name();
    user_ = user_.substr(0, 60);
    for (char& c : user_) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));  // Dovecot lowercases
    int st = 0;
    std::string out = run_capture(std::string(CRMR_DOVECOT_SCRIPT) + " user " + Dovecot::get().dir() +
                                      " " + user_ + " pw-" + user_ + " 2>&1", &st);
    ASSERT_EQ(st, 0) << out;
  }

  fs::path maildir() { return fs::path(Dovecot::get().dir()) / "home" / user_ / "Maildir"; }

  // Drop messages into Maildir/new (as the mail owner); returns their bytes.
  std::vector<std::string> drop(const std::vector<std::string>& messages) {
    static int seq = 0;
    for (const auto& m : messages) {
      std::ofstream(maildir() / "new" / ("1700000000.M" + std::to_string(++seq) + "P1.test"),
                    std::ios::binary) << m;
    }
    int st = 0;
    run_capture("chown -R " + Dovecot::get().vars["DOVECOT_MAIL_OWNER"] + " " + maildir().string(), &st);
    return messages;
  }

  MailboxEndpoint endpoint(const char* scheme = "imap", const char* port = "DOVECOT_IMAP_PORT") {
    MailboxEndpoint ep;
    ep.url = Dovecot::get().url(scheme, port);
    ep.user = user_;
    ep.password = "pw-" + user_;
    ep.timeout = std::chrono::seconds(10);
    // Dovecot offers STARTTLS with its self-signed certificate: plain unless a test asks.
    ep.starttls = MailboxEndpoint::StartTls::Off;
    return ep;
  }

  std::unique_ptr<MailboxSession> open(const MailboxEndpoint& ep) {
    auto s = open_mailbox(ep);
    EXPECT_OK(s);
    return s ? std::move(*s) : nullptr;
  }

  std::vector<RemoteMessage> fetch_all(MailboxSession& s, const std::vector<std::string>& ids) {
    std::vector<RemoteMessage> got;
    auto st = s.fetch(ids, [&](RemoteMessage&& m) -> Status {
      got.push_back(std::move(m));
      return {};
    });
    EXPECT_OK(st);
    return got;
  }

  std::string user_;
  static inline int counter_ = 0;
};

TEST_F(MailboxTest, ImapLogsInAndAnnouncesCapabilities) {
  auto s = open(endpoint());
  ASSERT_TRUE(s);
  EXPECT_TRUE(s->caps().persistent_uids);
  EXPECT_NE(s->capabilities().find("IMAP4rev1"), std::string::npos);
  EXPECT_NE(s->capabilities().find("UIDPLUS"), std::string::npos);
  EXPECT_TRUE(s->close().has_value());
}

TEST_F(MailboxTest, WrongPasswordIsANeverRetriedMailboxErrorWithoutTheSecret) {
  for (auto [scheme, port] : {std::pair{"imap", "DOVECOT_IMAP_PORT"}, {"pop3", "DOVECOT_POP3_PORT"}}) {
    MailboxEndpoint ep = endpoint(scheme, port);
    ep.password = "Wrong-Secret-42";
    auto s = open_mailbox(ep);
    ASSERT_FALSE(s.has_value()) << scheme;
    EXPECT_ERROR_CODE(s, Code::MailboxAuth);
    EXPECT_EQ(s.error().scope, Scope::Mailbox);
    EXPECT_EQ(s.error().retry, Retry::Never);
    EXPECT_EQ(s.error().describe().find("Wrong-Secret-42"), std::string::npos);
    EXPECT_NE(s.error().hint.find("password"), std::string::npos);
  }
}

TEST_F(MailboxTest, ImapFetchReturnsExactBytesEvenWithProtocolLookalikeLines) {
  auto sent = drop({sample_message(1),
                    "Subject: tricky\n\nA004 OK fake completion\nR3 OK fake too\n* 3 EXISTS\n{5}\n"
                    "* 1 FETCH (UID 99 BODY[] {3}\nabc)\n)\n",
                    "Subject: no final newline\n\nlast line"});
  auto s = open(endpoint());
  ASSERT_TRUE(s);
  auto st = s->select("INBOX");
  ASSERT_OK(st);
  EXPECT_NE(st->uidvalidity, 0u);
  EXPECT_EQ(st->exists, 3u);
  EXPECT_EQ(st->uidnext, 4u);
  auto ids = list(*s, 0, std::nullopt);
  ASSERT_OK(ids);
  ASSERT_EQ(ids->size(), 3u);
  auto got = fetch_all(*s, *ids);
  ASSERT_EQ(got.size(), 3u);
  std::multiset<std::string> want, have;
  for (std::size_t i = 0; i < 3; ++i) {
    want.insert(crlf(sent[i]));
    have.insert(got[i].bytes);
    EXPECT_EQ(got[i].id, (*ids)[i]);
    ASSERT_TRUE(got[i].internal_date.has_value());
    EXPECT_GT(*got[i].internal_date, 1600000000);
  }
  EXPECT_EQ(have, want);
  // A second fetch of a subset, out of batch order, comes back in the order asked.
  auto some = fetch_all(*s, {(*ids)[2], (*ids)[0]});
  ASSERT_EQ(some.size(), 2u);
  EXPECT_EQ(some[0].id, (*ids)[2]);
  EXPECT_TRUE(s->close().has_value());
}

TEST_F(MailboxTest, ImapListIdsSkipsSeenUidsAndHonoursSince) {
  drop({sample_message(1), sample_message(2), sample_message(3)});
  // Maildir INTERNALDATE is the file's mtime: make one message old.
  auto first = *fs::directory_iterator(maildir() / "new");
  fs::last_write_time(first.path(), fs::file_time_type::clock::now() - std::chrono::hours(24 * 400));
  auto s = open(endpoint());
  ASSERT_TRUE(s);
  ASSERT_TRUE(s->select("INBOX").has_value());
  auto all = list(*s, 0, std::nullopt);
  ASSERT_TRUE(all.has_value());
  ASSERT_EQ(all->size(), 3u);
  auto after_last = list(*s, std::stoul(all->back()), std::nullopt);  // "4:*" matches UID 3
  ASSERT_TRUE(after_last.has_value());
  EXPECT_TRUE(after_last->empty());
  auto after_first = list(*s, std::stoul(all->front()), std::nullopt);
  EXPECT_EQ(after_first->size(), 2u);
  auto now = std::chrono::duration_cast<std::chrono::seconds>(
                 std::chrono::system_clock::now().time_since_epoch()).count();
  auto recent = list(*s, 0, now - 30 * 86400);
  ASSERT_OK(recent);
  EXPECT_EQ(recent->size(), 2u);
}

TEST_F(MailboxTest, ImapFetchesAThousandMessagesInOrder) {
  std::vector<std::string> msgs;
  for (int i = 0; i < 1000; ++i) msgs.push_back(sample_message(i, 2000));
  drop(msgs);
  auto s = open(endpoint());
  ASSERT_TRUE(s);
  ASSERT_TRUE(s->select("INBOX").has_value());  // builds Dovecot's index
  auto ids = list(*s, 0, std::nullopt);
  ASSERT_EQ(ids->size(), 1000u);
  fetch_all(*s, *ids);  // warm Dovecot's caches
  auto t0 = Clock::now();
  auto got = fetch_all(*s, *ids);
  double secs = std::chrono::duration<double>(Clock::now() - t0).count();
  ASSERT_EQ(got.size(), 1000u);
  for (std::size_t i = 0; i < got.size(); ++i) ASSERT_EQ(got[i].id, (*ids)[i]);
  std::printf("[ speed    ] IMAP fetch: 1000 messages (~2 KB) in %.3f s: %.0f messages/s\n", secs, 1000 / secs);
}

TEST_F(MailboxTest, ImapMarkSeenSetsTheSeenFlag) {
  drop({sample_message(1), sample_message(2)});
  auto s = open(endpoint());
  ASSERT_TRUE(s);
  ASSERT_TRUE(s->select("INBOX").has_value());
  auto ids = list(*s, 0, std::nullopt);
  fetch_all(*s, *ids);  // BODY.PEEK: does not set \Seen
  auto st = s->mark_seen({ids->front()});
  ASSERT_OK(st);
  ASSERT_TRUE(s->close().has_value());
  int seen = 0, total = 0;
  for (const auto& e : fs::directory_iterator(maildir() / "cur")) {
    ++total;
    std::string name = e.path().filename().string();
    auto flags = name.substr(name.find(":2,") + 3);
    seen += flags.find('S') != std::string::npos;
  }
  EXPECT_EQ(total, 2);
  EXPECT_EQ(seen, 1);
}

TEST_F(MailboxTest, ImapMoveCreatesTheFolderAndMoves) {
  auto sent = drop({sample_message(1), sample_message(2), sample_message(3)});
  auto s = open(endpoint());
  ASSERT_TRUE(s);
  ASSERT_TRUE(s->select("INBOX").has_value());
  auto ids = list(*s, 0, std::nullopt);
  auto st = s->move_to({(*ids)[0], (*ids)[2]}, "CRM Filed");
  ASSERT_OK(st);
  auto again = s->move_to({(*ids)[1]}, "CRM Filed");  // folder exists now
  ASSERT_OK(again);
  auto filed = s->select("CRM Filed");
  ASSERT_OK(filed);
  EXPECT_EQ(filed->exists, 3u);
  auto inbox = s->select("INBOX");
  EXPECT_EQ(inbox->exists, 0u);
}

TEST_F(MailboxTest, ImapRemoveDeletesAndExpunges) {
  drop({sample_message(1), sample_message(2), sample_message(3)});
  auto s = open(endpoint());
  ASSERT_TRUE(s);
  auto before = s->select("INBOX");
  auto ids = list(*s, 0, std::nullopt);
  auto st = s->remove({(*ids)[1]});
  ASSERT_OK(st);
  auto after = s->select("INBOX");
  EXPECT_EQ(after->exists, 2u);
  EXPECT_EQ(after->uidvalidity, before->uidvalidity);
  auto left = list(*s, 0, std::nullopt);
  EXPECT_EQ(*left, (std::vector<std::string>{(*ids)[0], (*ids)[2]}));
}

TEST_F(MailboxTest, ImapUnknownFolderIsAMailboxError) {
  auto s = open(endpoint());
  ASSERT_TRUE(s);
  auto st = s->select("No Such Folder");
  ASSERT_FALSE(st.has_value());
  EXPECT_ERROR_CODE(st, Code::MailboxFolder);
  EXPECT_EQ(st.error().scope, Scope::Mailbox);
  EXPECT_TRUE(s->select("INBOX").has_value());  // the session is still usable
}

TEST_F(MailboxTest, Pop3ListsFetchesAndDeletesOnlyAtQuit) {
  auto sent = drop({sample_message(1), ".leading dot\n.\n..\nSubject: x\n\n.\nend\n", sample_message(3)});
  auto s = open(endpoint("pop3", "DOVECOT_POP3_PORT"));
  ASSERT_TRUE(s);
  EXPECT_FALSE(s->caps().persistent_uids);
  EXPECT_NE(s->capabilities().find("UIDL"), std::string::npos);
  auto st = s->select("INBOX");
  ASSERT_OK(st);
  EXPECT_EQ(st->exists, 3u);
  auto ids = list(*s, 0, std::nullopt);
  ASSERT_OK(ids);
  ASSERT_EQ(ids->size(), 3u);
  auto got = fetch_all(*s, *ids);
  ASSERT_EQ(got.size(), 3u);
  std::multiset<std::string> want, have;
  for (std::size_t i = 0; i < 3; ++i) {
    want.insert(crlf(sent[i]));
    have.insert(got[i].bytes);
  }
  EXPECT_EQ(have, want);

  // DELE without QUIT (connection dropped): nothing is deleted.
  ASSERT_TRUE(s->remove({(*ids)[0]}).has_value());
  s.reset();
  auto s2 = open(endpoint("pop3", "DOVECOT_POP3_PORT"));
  ASSERT_TRUE(s2);
  EXPECT_EQ(list(*s2, 0, std::nullopt)->size(), 3u);
  // DELE then QUIT: deleted.
  ASSERT_TRUE(s2->remove({(*ids)[0], (*ids)[2]}).has_value());
  ASSERT_TRUE(s2->close().has_value());
  auto s3 = open(endpoint("pop3", "DOVECOT_POP3_PORT"));
  ASSERT_TRUE(s3);
  EXPECT_EQ(*list(*s3, 0, std::nullopt), std::vector<std::string>{(*ids)[1]});
  EXPECT_FALSE(s3->move_to({(*ids)[1]}, "X").has_value());
  EXPECT_FALSE(s3->select("Archive").has_value());
}

TEST_F(MailboxTest, Pop3FetchesAThousandMessagesInOrder) {
  std::vector<std::string> msgs;
  for (int i = 0; i < 1000; ++i) msgs.push_back(sample_message(i, 2000));
  drop(msgs);
  auto warm = open(endpoint());  // IMAP SELECT builds the index
  ASSERT_TRUE(warm && warm->select("INBOX").has_value());
  warm.reset();
  auto s = open(endpoint("pop3", "DOVECOT_POP3_PORT"));
  ASSERT_TRUE(s);
  auto ids = list(*s, 0, std::nullopt);
  ASSERT_EQ(ids->size(), 1000u);
  auto t0 = Clock::now();
  auto got = fetch_all(*s, *ids);
  double secs = std::chrono::duration<double>(Clock::now() - t0).count();
  ASSERT_EQ(got.size(), 1000u);
  EXPECT_EQ(got[500].bytes, crlf(msgs[500]));
  std::printf("[ speed    ] POP3 fetch: 1000 messages (~2 KB) in %.3f s: %.0f messages/s\n", secs, 1000 / secs);
}

TEST_F(MailboxTest, TlsIsVerifiedByDefaultAndAcceptsTheGivenCa) {
  MailboxEndpoint ep = endpoint("imaps", "DOVECOT_IMAPS_PORT");
  auto refused = open_mailbox(ep);
  ASSERT_FALSE(refused.has_value());
  EXPECT_ERROR_CODE(refused, Code::MailboxTls);
  EXPECT_NE(refused.error().message.find("certificate verify failed"), std::string::npos)
      << refused.error().describe();
  EXPECT_NE(refused.error().hint.find("tls_ca_file"), std::string::npos);
  EXPECT_EQ(refused.error().retry, Retry::Never);

  ep.ca_file = Dovecot::get().vars["DOVECOT_CA_FILE"];
  EXPECT_TRUE(open(ep));
  MailboxEndpoint pop3s = endpoint("pop3s", "DOVECOT_POP3S_PORT");
  pop3s.ca_file = ep.ca_file;
  EXPECT_TRUE(open(pop3s));
  MailboxEndpoint starttls = endpoint();
  starttls.starttls = MailboxEndpoint::StartTls::Required;
  starttls.ca_file = ep.ca_file;
  EXPECT_TRUE(open(starttls));
  MailboxEndpoint unverified = endpoint("imaps", "DOVECOT_IMAPS_PORT");
  unverified.verify_tls = false;
  EXPECT_TRUE(open(unverified));
}

TEST_F(MailboxTest, ServerKilledMidFetchIsAnErrorNotAHang) {
  std::vector<std::string> msgs;
  for (int i = 0; i < 1000; ++i) msgs.push_back(sample_message(i, 30000));
  drop(msgs);
  auto s = open(endpoint());
  ASSERT_TRUE(s);
  ASSERT_TRUE(s->select("INBOX").has_value());
  auto ids = list(*s, 0, std::nullopt);
  int count = 0;
  auto t0 = Clock::now();
  auto st = s->fetch(*ids, [&](RemoteMessage&&) -> Status {
    if (++count == 5) {
      int rc = 0;
      std::string who = run_capture("doveadm -c " + Dovecot::get().dir() + "/dovecot.conf who -1 " + user_ +
                                        " | awk '$2==\"imap\"{print $3}'", &rc);
      for (std::istringstream in(who); in >> who;) run_capture("kill -9 " + who, &rc);
    }
    return {};
  });
  ASSERT_FALSE(st.has_value());
  EXPECT_LT(count, 1000);
  EXPECT_EQ(st.error().scope, Scope::Mailbox);
  EXPECT_LT(std::chrono::duration<double>(Clock::now() - t0).count(), 8.0);
  EXPECT_FALSE(s->select("INBOX").has_value());  // the session stays broken
}

// --- a scripted fake server: stalls and garbage
TEST(MailboxFakeServer, StallingServerTimesOut) {
  FakeImapServer server(FakeImapServer::Mode::Stall);
  MailboxEndpoint ep;
  ep.url = server.url();
  ep.user = "u";
  ep.password = "p";
  ep.timeout = std::chrono::seconds(1);
  auto t0 = Clock::now();
  auto s = open_mailbox(ep);
  ASSERT_FALSE(s.has_value());
  EXPECT_ERROR_CODE(s, Code::MailboxTimeout);
  EXPECT_EQ(s.error().scope, Scope::Mailbox);
  EXPECT_LT(std::chrono::duration<double>(Clock::now() - t0).count(), 5.0);
}

TEST(MailboxFakeServer, GarbageIsAMailboxErrorNotACrash) {
  for (auto mode : {FakeImapServer::Mode::Garbage, FakeImapServer::Mode::TruncatedLiteral}) {
    FakeImapServer server(mode);
    MailboxEndpoint ep;
  ep.url = server.url();
  ep.user = "u";
  ep.password = "p";
    ep.timeout = std::chrono::seconds(2);
    auto s = open_mailbox(ep);
    ASSERT_FALSE(s.has_value());
    EXPECT_EQ(s.error().scope, Scope::Mailbox) << s.error().describe();
    EXPECT_TRUE(s.error().code == Code::MailboxProtocol || s.error().code == Code::MailboxClosed)
        << s.error().describe();
  }
}

}  // namespace
}  // namespace crmr
