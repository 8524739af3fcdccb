// Listing and fetching against scripted servers that play quirks of packaged
// mail servers (tests/core/mailbox/server_quirks.h): what is listed, what is fetched,
// what is sent to the server (UID SEARCH and EXISTS, UTF8, TOP).
#include <gtest/gtest.h>

#include <memory>

#include "core/mailbox_session.h"
#include "tests/core/mailbox/server_quirks.h"

namespace crmr::test {
namespace {

std::string mail(int n, const std::string& from = "alice@customer.example") {
  return "From: " + from + "\r\nTo: bob@contoso.example\r\nSubject: note " + std::to_string(n) +
         "\r\nMessage-ID: <q" + std::to_string(n) +
         "@customer.example>\r\nDate: Mon, 5 Jan 2026 10:00:00 +0000\r\n\r\nbody " +
         std::to_string(n) + "\r\n";
}

std::vector<ScriptRule> operator+(std::vector<ScriptRule> a, const std::vector<ScriptRule>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

std::unique_ptr<MailboxSession> open(const ScriptedServer& server) {
  MailboxEndpoint ep;
  ep.url = server.url();
  ep.user = "u";
  ep.password = "p";
  ep.timeout = std::chrono::seconds(5);
  ep.starttls = MailboxEndpoint::StartTls::Off;
  auto s = open_mailbox(ep);
  EXPECT_TRUE(s.has_value()) << s.error().describe();
  return s ? std::move(*s) : nullptr;
}

const std::string kImapGreeting = "* OK scripted IMAP ready\r\n";
const std::string kPop3Greeting = "+OK scripted POP3 ready\r\n";

// An IMAP INBOX of three messages (UIDs 1-3) behind `quirk`.
std::unique_ptr<ScriptedServer> inbox_of_three(const std::vector<ScriptRule>& quirk) {
  return std::make_unique<ScriptedServer>(
      ScriptedServer::Protocol::Imap, kImapGreeting,
      quirk + imap_login_rows() + imap_inbox_rows({mail(1), mail(2), mail(3)}));
}

Result<IdListing> select_and_list(MailboxSession& s) {
  if (auto st = s.select("INBOX"); !st) return std::unexpected(st.error());
  return s.list_ids(0, std::nullopt);
}

TEST(ImapQuirks, UidSearchEmptyForStarIsNeverAsked) {
  auto server = inbox_of_three(quirk_uid_search_star_empty());
  auto s = open(*server);
  ASSERT_TRUE(s);
  auto listed = select_and_list(*s);
  ASSERT_TRUE(listed.has_value()) << listed.error().describe();
  EXPECT_EQ(listed->ids, (std::vector<std::string>{"1", "2", "3"}));
  EXPECT_TRUE(listed->warnings.empty());
  EXPECT_EQ(server->count("UID SEARCH UID 1:3"), 1);
  EXPECT_EQ(server->count("UID SEARCH UID 1:*"), 0);
  EXPECT_EQ(server->count("FETCH 1:3 (UID)"), 0);  // the check agreed: no fallback
  auto after_last = s->list_ids(3, std::nullopt);  // nothing below UIDNEXT above 3: no search
  ASSERT_TRUE(after_last.has_value());
  EXPECT_TRUE(after_last->ids.empty());
  EXPECT_EQ(server->count("UID SEARCH"), 1);
}

TEST(ImapQuirks, EmptyUidSearchIsCheckedAgainstExistsAndReadBySequence) {
  auto server = inbox_of_three(quirk_uid_search_always_empty());
  auto s = open(*server);
  ASSERT_TRUE(s);
  auto listed = select_and_list(*s);
  ASSERT_TRUE(listed.has_value()) << listed.error().describe();
  EXPECT_EQ(listed->ids, (std::vector<std::string>{"1", "2", "3"}));
  ASSERT_EQ(listed->warnings.size(), 1u);
  EXPECT_NE(listed->warnings[0].find("UID SEARCH UID 1:3 listed 0 UIDs"), std::string::npos)
      << listed->warnings[0];
  EXPECT_NE(listed->warnings[0].find("FETCH 1:3 (UID)"), std::string::npos) << listed->warnings[0];
  EXPECT_EQ(server->count("FETCH 1:3 (UID)"), 1);
  // With a date floor the fallback filters on INTERNALDATE (05-Jan-2026).
  ASSERT_TRUE(s->select("INBOX").has_value());
  auto since = s->list_ids(0, 1767571200 + 86400);  // 2026-01-06
  ASSERT_TRUE(since.has_value()) << since.error().describe();
  EXPECT_TRUE(since->ids.empty());
  EXPECT_EQ(since->skipped_by_date.size(), 3u);
}

TEST(ImapQuirks, Utf8AcceptIsEnabledWhenOfferedAndFolderNamesGoAsUtf8) {
  ScriptedServer server(
      ScriptedServer::Protocol::Imap, kImapGreeting,
      std::vector<ScriptRule>{{"ENABLE UTF8=ACCEPT", "* ENABLED UTF8=ACCEPT\r\n{tag} OK enabled\r\n"},
                             {"SELECT \"Eingänge\"",
                              "* 0 EXISTS\r\n* OK [UIDVALIDITY 1] ok\r\n* OK [UIDNEXT 1] ok\r\n{tag} OK selected\r\n"}} +
          imap_login_rows("ENABLE UTF8=ACCEPT"));
  auto s = open(server);
  ASSERT_TRUE(s);
  EXPECT_EQ(server.count("ENABLE UTF8=ACCEPT"), 1);
  auto st = s->select("Eingänge");
  ASSERT_TRUE(st.has_value()) << st.error().describe();
}

TEST(ImapQuirks, NoEnableWithoutUtf8Accept) {
  ScriptedServer server(ScriptedServer::Protocol::Imap, kImapGreeting, imap_login_rows());
  auto s = open(server);
  ASSERT_TRUE(s);
  EXPECT_EQ(server.count("ENABLE"), 0);
}

TEST(Pop3Quirks, Utf8IsSentWhenAdvertisedAndTheRealMessageIsServed) {
  const std::string real =
      "From: =?utf-8?q?J=C3=B6rg?= <joerg@customer.example>\r\nSubject: Grüße\r\n\r\nhallo\r\n";
  ScriptedServer server(ScriptedServer::Protocol::Pop3, kPop3Greeting,
                        quirk_pop3_utf8_stand_in(1, true) + pop3_login_rows() +
                            pop3_mailbox_rows({real}));
  auto s = open(server);
  ASSERT_TRUE(s);
  EXPECT_EQ(server.count("UTF8"), 1);
  auto listed = s->list_ids(0, std::nullopt);
  ASSERT_TRUE(listed.has_value());
  std::string got;
  ASSERT_TRUE(s->fetch(listed->ids, [&](RemoteMessage&& m) -> Status {
                 got = m.bytes;
                 return {};
               }).has_value());
  EXPECT_EQ(got, real);
}

TEST(Pop3Quirks, WithoutUtf8InCapaNoneIsSentAndTheStandInComes) {
  ScriptedServer server(ScriptedServer::Protocol::Pop3, kPop3Greeting,
                        quirk_pop3_utf8_stand_in(1, false) + pop3_login_rows() +
                            pop3_mailbox_rows({mail(1)}));
  auto s = open(server);
  ASSERT_TRUE(s);
  EXPECT_EQ(server.count("UTF8"), 0);
  ASSERT_TRUE(s->list_ids(0, std::nullopt).has_value());
  std::string got;
  ASSERT_TRUE(s->fetch({"U1"}, [&](RemoteMessage&& m) -> Status {
                 got = m.bytes;
                 return {};
               }).has_value());
  EXPECT_NE(got.find("Cannot display Unicode content"), std::string::npos);
}

TEST(Pop3Quirks, FetchHeadersUsesTopAndDownloadsNoBody) {
  ScriptedServer server(ScriptedServer::Protocol::Pop3, kPop3Greeting,
                        pop3_login_rows() + pop3_mailbox_rows({mail(1), mail(2)}));
  auto s = open(server);
  ASSERT_TRUE(s);
  ASSERT_TRUE(s->list_ids(0, std::nullopt).has_value());
  std::vector<std::string> got;
  ASSERT_TRUE(s->fetch_headers({"U1", "U2"}, [&](RemoteMessage&& m) -> Status {
                 got.push_back(m.bytes);
                 return {};
               }).has_value());
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].find("body"), std::string::npos);
  EXPECT_NE(got[1].find("Subject: note 2"), std::string::npos);
  EXPECT_EQ(server.count("TOP 1 0"), 1);
  EXPECT_EQ(server.count("RETR"), 0);
}

}  // namespace
}  // namespace crmr::test
