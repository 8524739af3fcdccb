// Forward-mailbox unwrap (core/mime/unwrap.h).
#include "core/mime/unwrap.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

namespace crmr {
namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Message parse(const std::string& raw) {
  auto r = parse_message(raw);
  EXPECT_TRUE(r) << (r ? "" : r.error().message);
  return r ? *r : Message{};
}

TEST(UnwrapForward, ForwardWithShortNoteYieldsTheInnerMessage) {
  Message outer = parse(read_file(std::string(CRMR_TEST_DATA_DIR) + "/mime/forward-with-note.eml"));
  auto u = unwrap_forward(outer);
  ASSERT_TRUE(u);
  EXPECT_EQ(u->forwarded_by, "Sales@Contoso.example");
  EXPECT_EQ(u->inner.subject, "Order 4711 – delivery date");
  EXPECT_EQ(u->inner.message_id, "CAF-inner-42@mail.fabrikam.example");
  EXPECT_EQ(u->inner.in_reply_to, std::vector<std::string>{"quote-17@contoso.example"});
  EXPECT_EQ(u->inner.from[0].address, "buyer@fabrikam.example");
  EXPECT_EQ(u->inner.text_body, "When will order 4711 arrive? Grüße\n");
  EXPECT_TRUE(u->inner_raw.starts_with("From: Customer <buyer@fabrikam.example>"));
}

TEST(UnwrapForward, OutlookHtmlWrapperWithLogoIsUnwrapped) {
  Message outer = parse(read_file(std::string(CRMR_TEST_DATA_DIR) + "/mime/forward-outlook-html.eml"));
  auto u = unwrap_forward(outer);
  ASSERT_TRUE(u);
  EXPECT_EQ(u->forwarded_by, "jane@contoso.example");
  EXPECT_EQ(u->inner.message_id, "notes-99@fabrikam.example");
}

std::string wrapper(const std::string& note, const std::string& extra_parts) {
  return "From: fwd@x.example\nSubject: FW\nContent-Type: multipart/mixed; boundary=b\n\n"
         "--b\nContent-Type: text/plain\n\n" + note + "\n" + extra_parts +
         "--b\nContent-Type: message/rfc822\n\nFrom: a@y.example\nSubject: inner\n\nhello\n--b--\n";
}

TEST(UnwrapForward, NotAWrapper) {
  const std::string pdf = "--b\nContent-Type: application/pdf; name=a.pdf\n\n%PDF\n";
  const std::string second = "--b\nContent-Type: message/rfc822\n\nSubject: other\n\nx\n";
  EXPECT_TRUE(unwrap_forward(parse(wrapper("FYI", ""))));
  EXPECT_FALSE(unwrap_forward(parse(wrapper(std::string(3000, 'x'), ""))));  // a real message
  EXPECT_FALSE(unwrap_forward(parse(wrapper("FYI", pdf))));                   // other attachment
  EXPECT_FALSE(unwrap_forward(parse(wrapper("FYI", second))));                // two messages
  EXPECT_FALSE(unwrap_forward(parse("From: a@b.c\nSubject: plain\n\nno attachment\n")));
  // The attached "message" has no header at all.
  EXPECT_FALSE(unwrap_forward(parse("From: a@b.c\nContent-Type: multipart/mixed; boundary=b\n\n"
                                    "--b\nContent-Type: message/rfc822\n\njust text\n--b--\n")));
}

struct CorpusForward {
  const char* file;
  const char* forwarded_by;
  const char* inner_subject;
};

TEST(UnwrapForward, CorpusForwardsAsAttachment) {
  const CorpusForward cases[] = {
      {"james-mime4j/core/src/test/resources/mimetools-testmsgs/mp-msg-rfc822.msg", "specht@kulturbox.de",
       "Re: 34Mbit/s Netz"},
      {"php-mime-mail-parser/tests/mails/issue158a", "example@example.com", "Test 5"},
      {"php-mime-mail-parser/tests/mails/issue158b", "example@example.com", "Test 5"},
      {"php-mime-mail-parser/tests/mails/issue158c", "example@example.com", "Test 5"},
      {"php-mime-mail-parser/tests/mails/issue158d", "dhaswell@zedcore.com", "Test 6"},
      {"mikel-mail/spec/fixtures/emails/attachment_emails/attachment_message_rfc822.eml", "foo@example.com",
       "Another PDF"},
      {"mimekit/UnitTests/TestData/messages/simple-embedded-message.eml", "mimekit@example.com",
       "embedded message"},
      {"flanker/tests/fixtures/messages/enclosed.eml", "bob@example.net", "Thanks!"},
  };
  for (const auto& c : cases) {
    Message outer = parse(read_file(std::string(CRMR_CORPUS_DIR) + "/" + c.file));
    auto u = unwrap_forward(outer);
    ASSERT_TRUE(u) << c.file;
    EXPECT_EQ(u->forwarded_by, c.forwarded_by) << c.file;
    EXPECT_EQ(u->inner.subject, c.inner_subject) << c.file;
  }
}

TEST(UnwrapForward, DeliveryReportIsNotAForward) {
  Message dsn = parse(read_file(std::string(CRMR_CORPUS_DIR) + "/mailparser-node/test/fixtures/delivery-status.eml"));
  EXPECT_FALSE(unwrap_forward(dsn));
}

TEST(UnwrapForward, PeelsOneLevelOfADeepNesting) {
  std::string raw = "From: a@b.c\nSubject: level 50\n\nbody\n";
  for (int i = 49; i >= 1; --i)
    raw = "From: a@b.c\nSubject: level " + std::to_string(i) + "\nContent-Type: message/rfc822\n\n" + raw;
  auto u = unwrap_forward(parse(raw));
  ASSERT_TRUE(u);
  EXPECT_EQ(u->inner.subject, "level 2");
}

}  // namespace
}  // namespace crmr
