// The IMAP framer/parser and the POP3 reader, without a server.
#include "core/mailbox/imap_parser.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/mailbox/curl_error.h"
#include "core/mailbox/pop3_reader.h"
#include "tests/support/result_matchers.h"

namespace crmr {
namespace {

// Feed `bytes` to a framer in pieces of `step` bytes; collect every response.
std::vector<std::string> frame_all(const std::string& bytes, std::size_t step) {
  ImapFramer f;
  std::vector<std::string> out;
  for (std::size_t i = 0; i < bytes.size(); i += step) {
    f.append(std::string_view(bytes).substr(i, step));
    for (;;) {
      auto r = f.next();
      EXPECT_TRUE(r.has_value());
      if (!r || !*r) break;
      out.push_back(**r);
    }
  }
  EXPECT_EQ(f.buffered(), 0u);
  return out;
}

const std::string kTrickyBody =
    "Subject: x\r\n\r\nA004 OK fake completion\r\n* 3 EXISTS\r\n{5}\r\nR7 OK also fake\r\n";

TEST(ImapFramer, KeepsLiteralsWholeWhateverTheChunking) {
  std::string body = kTrickyBody;
  std::string stream = "* 1 FETCH (UID 7 BODY[] {" + std::to_string(body.size()) + "}\r\n" + body +
                       " INTERNALDATE \"17-Jul-1996 02:44:25 -0700\")\r\nR7 OK done\r\n";
  for (std::size_t step : {1u, 2u, 7u, 64u, 100000u}) {
    auto frames = frame_all(stream, step);
    ASSERT_EQ(frames.size(), 2u) << "step " << step;
    EXPECT_EQ(frames[1], "R7 OK done\r\n");
    auto r = parse_imap_response(frames[0]);
    ASSERT_TRUE(r.has_value()) << r.error().message;
    EXPECT_EQ(r->keyword, "FETCH");
    EXPECT_EQ(r->number, 1u);
    ASSERT_NE(fetch_item(*r, "BODY[]"), nullptr);
    EXPECT_EQ(fetch_item(*r, "body[]")->text, body);
    EXPECT_EQ(fetch_item(*r, "UID")->number(), 7u);
    EXPECT_EQ(parse_internal_date(fetch_item(*r, "INTERNALDATE")->text), 837596665);
  }
}

TEST(ImapFramer, HandlesEmptyAndConsecutiveLiterals) {
  std::string stream = "* 2 FETCH (BODY[HEADER.FIELDS (FROM TO)] {0}\r\n BODY[TEXT] {3}\r\nabc)\r\n";
  auto frames = frame_all(stream, 3);
  ASSERT_EQ(frames.size(), 1u);
  auto r = parse_imap_response(frames[0]);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(fetch_item(*r, "BODY[HEADER.FIELDS (FROM TO)]")->text, "");
  EXPECT_EQ(fetch_item(*r, "BODY[TEXT]")->text, "abc");
}

TEST(ImapFramer, RejectsAnOverlongLiteral) {
  ImapFramer f;
  f.append("* 1 FETCH (BODY[] {99999999999}\r\n");
  auto r = f.next();
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().scope, Scope::Mailbox);
  EXPECT_ERROR_CODE(r, Code::MailboxProtocol);
}

TEST(ImapParser, ReadsStatusResponsesWithCodes) {
  struct Case {
    const char* line;
    ImapResponse::Kind kind;
    const char* tag;
    const char* status;
    const char* code;
    const char* text;
  };
  const Case cases[] = {
      {"* OK [UIDVALIDITY 1700000000] UIDs valid\r\n", ImapResponse::Kind::Untagged, "", "OK",
       "UIDVALIDITY 1700000000", "UIDs valid"},
      {"R3 NO [TRYCREATE] Mailbox doesn't exist: Archive\r\n", ImapResponse::Kind::Tagged, "R3", "NO",
       "TRYCREATE", "Mailbox doesn't exist: Archive"},
      {"R4 bad Error in IMAP command\r\n", ImapResponse::Kind::Tagged, "R4", "BAD", "",
       "Error in IMAP command"},
      {"* BYE Shutting down\r\n", ImapResponse::Kind::Untagged, "", "BYE", "", "Shutting down"},
      {"+ go ahead\r\n", ImapResponse::Kind::Continuation, "", "", "", "go ahead"},
      {"* OK [PERMANENTFLAGS (\\Deleted \\Seen \\*)] Flags permitted.\r\n",
       ImapResponse::Kind::Untagged, "", "OK", "PERMANENTFLAGS (\\Deleted \\Seen \\*)", "Flags permitted."},
  };
  for (const auto& c : cases) {
    auto r = parse_imap_response(c.line);
    ASSERT_TRUE(r.has_value()) << c.line << r.error().message;
    EXPECT_EQ(r->kind, c.kind) << c.line;
    EXPECT_EQ(r->tag, c.tag) << c.line;
    EXPECT_EQ(r->status, c.status) << c.line;
    EXPECT_EQ(r->code, c.code) << c.line;
    EXPECT_EQ(r->text, c.text) << c.line;
  }
  auto r = parse_imap_response("* OK [UIDNEXT 42] Predicted next UID\r\n");
  EXPECT_EQ(r->code_name(), "UIDNEXT");
  EXPECT_EQ(r->code_number(), 42u);
}

TEST(ImapParser, ReadsDataResponses) {
  auto exists = parse_imap_response("* 17 EXISTS\r\n");
  ASSERT_TRUE(exists.has_value());
  EXPECT_EQ(exists->number, 17u);
  EXPECT_EQ(exists->keyword, "EXISTS");

  auto search = parse_imap_response("* SEARCH 2 84 882\r\n");
  ASSERT_TRUE(search.has_value());
  ASSERT_EQ(search->values.size(), 3u);
  EXPECT_EQ(search->values[2].number(), 882u);

  auto list = parse_imap_response("* LIST (\\HasNoChildren) \"/\" \"A \\\"quoted\\\" name\"\r\n");
  ASSERT_TRUE(list.has_value());
  ASSERT_EQ(list->values.size(), 3u);
  EXPECT_EQ(list->values[0].type, ImapValue::Type::List);
  EXPECT_EQ(list->values[2].text, "A \"quoted\" name");

  auto flags = parse_imap_response("* 3 FETCH (UID 9 FLAGS (\\Seen $Junk) BODY[]<0> NIL)\r\n");
  ASSERT_TRUE(flags.has_value());
  EXPECT_EQ(fetch_item(*flags, "FLAGS")->items.size(), 2u);
  EXPECT_TRUE(fetch_item(*flags, "BODY[]<0>")->is_atom("NIL"));
}

TEST(ImapParser, GarbageIsAMailboxErrorNotACrash) {
  const char* garbage[] = {
      "",
      "\r\n",
      "HELLO WORLD\r\n",
      "* 1 FETCH (UID 1 BODY[] {10}\r\nabc)\r\n",
      "* 1 FETCH (UID 1\r\n",
      "* 1 FETCH (\"unterminated)\r\n",
      "* 1 FETCH (BODY[HEADER (A)\r\n",
      "* 1 FETCH ))\r\n",
      "* OK [UNCLOSED code\r\n",
      "R1\r\n",
  };
  for (const char* g : garbage) {
    auto r = parse_imap_response(g);
    ASSERT_FALSE(r.has_value()) << "accepted: " << g;
    EXPECT_EQ(r.error().scope, Scope::Mailbox);
  }
  std::string deep = "* 1 FETCH " + std::string(10000, '(') + "\r\n";
  EXPECT_FALSE(parse_imap_response(deep).has_value());
}

TEST(ImapParser, InternalDatesAndSearchDates) {
  EXPECT_EQ(parse_internal_date("01-Jan-1970 00:00:00 +0000"), 0);
  EXPECT_EQ(parse_internal_date(" 1-Feb-2024 12:00:00 +0100"), 1706785200);
  EXPECT_EQ(parse_internal_date("31-Dec-2023 23:59:59 -0130"), 1704072599);
  EXPECT_FALSE(parse_internal_date("31-Foo-2023 23:59:59 +0000").has_value());
  EXPECT_FALSE(parse_internal_date("garbage").has_value());
  EXPECT_EQ(imap_search_date(0), "1-Jan-1970");
  EXPECT_EQ(imap_search_date(1706785200), "1-Feb-2024");
  EXPECT_EQ(imap_search_date(951782400), "29-Feb-2000");
}

TEST(ImapParser, MailboxNamesAreQuotedAndModifiedUtf7) {
  EXPECT_EQ(imap_mailbox_arg("INBOX").value(), "\"INBOX\"");
  EXPECT_EQ(imap_mailbox_arg("CRM/Done & \"filed\"").value(), "\"CRM/Done &- \\\"filed\\\"\"");
  EXPECT_EQ(imap_mailbox_arg("Entw\xc3\xbcrfe").value(), "\"Entw&APw-rfe\"");
  EXPECT_EQ(imap_mailbox_arg("\xe5\x8f\xb0\xe5\x8c\x97").value(), "\"&U,BTFw-\"");
  EXPECT_FALSE(imap_mailbox_arg("a\r\nR1 LOGOUT").has_value());
  EXPECT_FALSE(imap_mailbox_arg("bad \xc3").has_value());
}

TEST(ImapParser, MailboxNamesFromTheServerAreShownInUtf8) {
  EXPECT_EQ(imap_mailbox_name("INBOX"), "INBOX");
  EXPECT_EQ(imap_mailbox_name("CRM/Done &- filed"), "CRM/Done & filed");
  EXPECT_EQ(imap_mailbox_name("Entw&APw-rfe"), "Entw\xc3\xbcrfe");
  EXPECT_EQ(imap_mailbox_name("&U,BTFw-"), "\xe5\x8f\xb0\xe5\x8c\x97");
  EXPECT_EQ(imap_mailbox_name("&2D3eAQ-"), "\xf0\x9f\x98\x81");  // a surrogate pair
  EXPECT_EQ(imap_mailbox_name("bad &*x- name"), "bad &*x- name");   // kept as it came
  EXPECT_EQ(imap_mailbox_name("no end &AAA"), "no end &AAA");
}

TEST(ImapParser, UidSetsAreCompact) {
  EXPECT_EQ(uid_set({5, 1, 2, 3, 9, 10, 7}), "1:3,5,7,9:10");
  EXPECT_EQ(uid_set({4}), "4");
  EXPECT_EQ(uid_set({}), "");
}

TEST(ScrubUrl, DropsUserInfoAndQuery) {
  EXPECT_EQ(scrub_url("imaps://bob:s3cret@mail.example.com:993/INBOX?x=1"),
            "imaps://mail.example.com:993/INBOX");
  EXPECT_EQ(scrub_url("pop3://host"), "pop3://host");
}

// POP3: replies, multi-line bodies, dot-stuffing, any chunking.
TEST(Pop3Reader, UnstuffsBodiesWhateverTheChunking) {
  std::string stream =
      "+OK 120 octets\r\nSubject: a\r\n\r\n..leading dot\r\nmid.dot\r\n...\r\n.\r\n"
      "+OK\r\n"
      ".\r\n"
      "-ERR no such message\r\n";
  for (std::size_t step : {1u, 2u, 3u, 5u, 1000u}) {
    Pop3Reader r;
    std::vector<std::string> got;
    std::size_t i = 0;
    auto feed = [&] {
      r.append(std::string_view(stream).substr(i, step));
      i += step;
    };
    for (int item = 0; item < 5; ++item) {
      for (;;) {
        if (item == 1 || item == 3) {
          if (auto b = r.next_body()) {
            got.push_back(*b);
            break;
          }
        } else {
          auto l = r.next_line();
          ASSERT_TRUE(l.has_value());
          if (*l) {
            got.push_back(**l);
            break;
          }
        }
        ASSERT_LT(i, stream.size()) << "ran out of input at item " << item;
        feed();
      }
    }
    ASSERT_EQ(got.size(), 5u);
    EXPECT_EQ(got[0], "+OK 120 octets");
    EXPECT_EQ(got[1], "Subject: a\r\n\r\n.leading dot\r\nmid.dot\r\n..\r\n");
    EXPECT_EQ(got[2], "+OK");
    EXPECT_EQ(got[3], "");
    EXPECT_EQ(got[4], "-ERR no such message");
  }
}

TEST(Pop3Reader, KeepsAnUnstuffedLeadingDotLine) {
  Pop3Reader r;
  r.append(".first line left unstuffed by Dovecot\r\n..stuffed\r\n.\r\n");
  EXPECT_EQ(r.next_body(), ".first line left unstuffed by Dovecot\r\n.stuffed\r\n");
}

TEST(Pop3Reader, DotsInsideLinesAreData) {
  Pop3Reader r;
  r.append("a.\r\n.b\r\n..\r\n.\r\n");
  auto b = r.next_body();
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(*b, "a.\r\n.b\r\n.\r\n");  // ".b": kept (see KeepsAnUnstuffedLeadingDotLine)
}

}  // namespace
}  // namespace crmr
