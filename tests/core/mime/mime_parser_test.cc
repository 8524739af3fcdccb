// parse_message (core/mime/mime_parser.h): synthetic edge cases and tricky corpus
// messages. The sweep over the whole corpus and the speed figure are in
// mime_corpus_test.cc.
#include "core/mime/mime_parser.h"
#include "tests/support/result_matchers.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
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

std::string corpus(const std::string& rel) { return read_file(std::string(CRMR_CORPUS_DIR) + "/" + rel); }

Message parse_ok(std::string_view raw) {
  auto r = parse_message(raw);
  EXPECT_OK(r);
  return r ? std::move(*r) : Message{};
}

bool has_warning(const Message& m, std::string_view part) {
  return std::any_of(m.warnings.begin(), m.warnings.end(),
                     [&](const std::string& w) { return w.find(part) != std::string::npos; });
}

// --- errors

TEST(ParseMessage, EmptyInputIsAnError) {
  EXPECT_ERROR_CODE(parse_message(""), Code::ParseEmpty);
  EXPECT_ERROR_CODE(parse_message(" \r\n\r\n"), Code::ParseEmpty);
}

TEST(ParseMessage, OversizedInputIsAnError) {
  ParseLimits limits;
  limits.max_message_bytes = 10;
  auto r = parse_message("Subject: hello world\r\n\r\nbody", limits);
  ASSERT_FALSE(r);
  EXPECT_ERROR_CODE(r, Code::ParseTooLarge);
}

TEST(ParseMessage, TextWithoutAnyHeaderIsNotAMessage) {
  EXPECT_ERROR_CODE(parse_message("just some text\nand more\n"), Code::ParseNotAMessage);
  auto raw = corpus("james-mime4j/core/src/test/resources/testmsgs/malformedHeader-noheader.msg");
  EXPECT_ERROR_CODE(parse_message(raw), Code::ParseNotAMessage);
}

// --- header fields

TEST(ParseMessage, ReadsIdentityThreadingAndHygieneHeaders) {
  const char* raw =
      "From: \"Doe, Jane\" <Jane@Example.com>\r\n"
      "Sender: list@example.org\r\n"
      "Reply-To: replies@example.org\r\n"
      "To: a@x.org, Team: b@x.org, c@x.org;\r\n"
      "Cc: =?utf-8?Q?J=C3=B6rg?= <joerg@x.de>\r\n"
      "Bcc: hidden@x.org\r\n"
      "Subject: =?utf-8?B?SGVsbG8g?=\r\n =?utf-8?B?d29ybGQ=?=\r\n"
      "Date: Tue, 1 Jul 2003 10:52:37 +0200\r\n"
      "Message-ID: <ABC123@Mail.Example.COM>\r\n"
      "In-Reply-To: <parent@x.org>\r\n"
      "References: <root@x.org>\r\n\t<parent@x.org>\r\n"
      "Thread-Index: AQHTXFWT3T6z7C8m9k2GE+t0ZVEeeQ==\r\n"
      "Auto-Submitted: auto-replied\r\n"
      "Precedence: bulk\r\n"
      "X-Autoreply: yes\r\n"
      "X-Auto-Response-Suppress: All\r\n"
      "Importance: High\r\n"
      "\r\n"
      "Body\r\n";
  Message m = parse_ok(raw);
  EXPECT_EQ(m.message_id, "ABC123@mail.example.com");
  EXPECT_EQ(m.in_reply_to, std::vector<std::string>{"parent@x.org"});
  EXPECT_EQ(m.references, (std::vector<std::string>{"root@x.org", "parent@x.org"}));
  EXPECT_EQ(m.thread_index, "AQHTXFWT3T6z7C8m9k2GE+t0ZVEeeQ==");
  ASSERT_TRUE(m.date);
  EXPECT_EQ(*m.date, 1057049557);
  EXPECT_EQ(m.date_raw, "Tue, 1 Jul 2003 10:52:37 +0200");
  ASSERT_EQ(m.from.size(), 1u);
  EXPECT_EQ(m.from[0].name, "Doe, Jane");
  EXPECT_EQ(m.from[0].address, "Jane@Example.com");
  EXPECT_EQ(m.sender[0].address, "list@example.org");
  EXPECT_EQ(m.reply_to[0].address, "replies@example.org");
  ASSERT_EQ(m.to.size(), 3u);
  EXPECT_EQ(m.to[2].address, "c@x.org");
  EXPECT_EQ(m.cc[0].name, "Jörg");
  EXPECT_EQ(m.bcc[0].address, "hidden@x.org");
  EXPECT_EQ(m.subject, "Hello world");
  EXPECT_EQ(m.text_body, "Body\n");
  EXPECT_EQ(m.auto_submitted, "auto-replied");
  EXPECT_EQ(m.precedence, "bulk");
  EXPECT_EQ(m.x_autoreply, "yes");
  EXPECT_EQ(m.x_auto_response_suppress, "All");
  EXPECT_EQ(m.priority, 2);
  ASSERT_EQ(m.headers.size(), 17u);
  EXPECT_EQ(m.headers[6].name, "Subject");
  EXPECT_EQ(m.headers[6].value, "=?utf-8?B?SGVsbG8g?= =?utf-8?B?d29ybGQ=?=");
  EXPECT_EQ(m.raw_size, std::string_view(raw).size());
  EXPECT_TRUE(m.warnings.empty());
}

TEST(ParseMessage, PriorityFromImportanceOrXPriority) {
  struct Case {
    const char* header;
    int want;
  } cases[] = {
      {"Importance: low", 0},  {"Importance: Normal", 1}, {"X-Priority: 1 (Highest)", 2},
      {"X-Priority: 2", 2},    {"X-Priority: 3", 1},      {"X-Priority: 5 (Lowest)", 0},
      {"X-MSMail-Priority: High", 2}, {"X-Other: 1", 1},
  };
  for (const auto& c : cases) {
    Message m = parse_ok(std::string("Subject: p\n") + c.header + "\n\nbody\n");
    EXPECT_EQ(m.priority, c.want) << c.header;
  }
}

TEST(ParseMessage, MalformedDateGivesNoDateAndAWarning) {
  Message m = parse_ok("Subject: x\nDate: Malformed Date.\n\nbody\n");
  EXPECT_FALSE(m.date);
  EXPECT_EQ(m.date_raw, "Malformed Date.");
  EXPECT_TRUE(has_warning(m, "Date"));
}

TEST(ParseMessage, MboxEnvelopeLineAndLfLineEndings) {
  Message m = parse_ok("From jane@x.org Mon Jan  1 00:00:00 2001\nFrom: jane@x.org\nSubject: s\n\nhi\n");
  EXPECT_EQ(m.from[0].address, "jane@x.org");
  EXPECT_EQ(m.text_body, "hi\n");
  EXPECT_EQ(m.headers.size(), 2u);
}

// --- bodies

TEST(ParseMessage, DecodesQuotedPrintableAndBase64WithCharsets) {
  const char* raw =
      "Subject: bodies\n"
      "Content-Type: multipart/alternative; boundary=\"b1\"\n\n"
      "preamble\n"
      "--b1\n"
      "Content-Type: text/plain; charset=\"=3Dwindows-1252\"\n"
      "Content-Transfer-Encoding: quoted-printable\n\n"
      "Caf=E9 =93soft=\n break=94\n"
      "--b1\n"
      "Content-Type: text/html; charset=koi8-r\n"
      "Content-Transfer-Encoding: base64\n\n"
      "PGI+8NLJ18XUPC9iPg==\n"
      "--b1--\n"
      "epilogue\n";
  Message m = parse_ok(raw);
  EXPECT_EQ(m.text_body, "Café “soft break”");
  EXPECT_EQ(m.html_body, "<b>Привет</b>");
  EXPECT_TRUE(m.attachments.empty());
  EXPECT_TRUE(m.warnings.empty());
}

TEST(ParseMessage, UnlabelledEightBitTextFallsBack) {
  EXPECT_EQ(parse_ok("Subject: a\n\nna\xC3\xAFve\n").text_body, "naïve\n");
  EXPECT_EQ(parse_ok("Subject: a\n\nna\xEFve\n").text_body, "naïve\n");
  EXPECT_EQ(parse_ok("Subject: a\nContent-Type: text/plain; charset=unknown-8bit\n\nna\xEFve\n").text_body,
            "naïve\n");
}

TEST(ParseMessage, FirstTextAndHtmlPartsAreTheBodiesOthersAreAttachments) {
  const char* raw =
      "Subject: mixed\n"
      "Content-Type: multipart/mixed; boundary=outer\n\n"
      "--outer\n"
      "Content-Type: multipart/alternative; boundary=\"inner\"\n\n"
      "--inner\n"
      "Content-Type: text/plain\n\nplain one\n"
      "--inner\n"
      "Content-Type: multipart/related; boundary=rel\n\n"
      "--rel\n"
      "Content-Type: text/html\n\n<p>html <img src=\"cid:logo@x\"></p>\n"
      "--rel\n"
      "Content-Type: image/png\n"
      "Content-ID: <logo@x>\n"
      "Content-Transfer-Encoding: base64\n\n"
      "iVBORw0KGgo=\n"
      "--rel--\n"
      "--inner--\n"
      "--outer\n"
      "Content-Type: application/pdf; name=\"=?utf-8?Q?R=C3=A9sum=C3=A9.pdf?=\"\n"
      "Content-Disposition: attachment\n"
      "Content-Transfer-Encoding: base64\n\n"
      "JVBERi0=\n"
      "--outer\n"
      "Content-Type: text/plain; charset=utf-8\n"
      "Content-Disposition: attachment;\n"
      " filename*0*=utf-8''%E2%82%AC;\n"
      " filename*1=\"-notes\";\n"
      " filename*2*=%2Etxt\n\n"
      "notes\n"
      "--outer\n"
      "Content-Type: text/plain\n\nlist footer\n"
      "--outer--\n";
  Message m = parse_ok(raw);
  EXPECT_EQ(m.text_body, "plain one\nlist footer");  // the line break before a delimiter is the delimiter's
  EXPECT_EQ(m.html_body, "<p>html <img src=\"cid:logo@x\"></p>");
  ASSERT_EQ(m.attachments.size(), 3u);
  EXPECT_EQ(m.attachments[0].content_type, "image/png");
  EXPECT_EQ(m.attachments[0].content_id, "logo@x");
  EXPECT_TRUE(m.attachments[0].is_inline);
  EXPECT_EQ(m.attachments[0].size, 8u);
  EXPECT_EQ(m.attachments[0].data, "\x89PNG\r\n\x1A\n");
  EXPECT_EQ(m.attachments[1].filename, "Résumé.pdf");
  EXPECT_EQ(m.attachments[1].data, "%PDF-");
  EXPECT_FALSE(m.attachments[1].is_inline);
  EXPECT_EQ(m.attachments[2].filename, "€-notes.txt");
  EXPECT_EQ(m.attachments[2].content_type, "text/plain");
  EXPECT_TRUE(m.warnings.empty());
}

TEST(ParseMessage, QuotedParameterMayContainSemicolons) {
  Message m = parse_ok(
      "Subject: s\nContent-Type: multipart/mixed; boundary=\"a;b\"\n\n--a;b\n"
      "Content-Type: application/octet-stream; name=\"x;y.bin\"\n\nz\n--a;b--\n");
  ASSERT_EQ(m.attachments.size(), 1u);
  EXPECT_EQ(m.attachments[0].filename, "x;y.bin");
}

TEST(ParseMessage, NestedMessageIsAnAttachmentNamedAfterItsSubject) {
  const char* raw =
      "Subject: Fwd\nContent-Type: multipart/mixed; boundary=b\n\n"
      "--b\nContent-Type: text/plain\n\nsee below\n"
      "--b\nContent-Type: message/rfc822\n\n"
      "Subject: =?utf-8?Q?Inner/Caf=C3=A9?=\nFrom: a@b.c\n\ninner body\n"
      "--b--\n";
  Message m = parse_ok(raw);
  EXPECT_EQ(m.text_body, "see below");
  ASSERT_EQ(m.attachments.size(), 1u);
  EXPECT_EQ(m.attachments[0].content_type, "message/rfc822");
  EXPECT_EQ(m.attachments[0].filename, "Inner_Café.eml");
  EXPECT_EQ(m.attachments[0].data, "Subject: =?utf-8?Q?Inner/Caf=C3=A9?=\nFrom: a@b.c\n\ninner body");
}

TEST(ParseMessage, DeliveryStatusReportsAreFlagged) {
  Message a = parse_ok(
      "Subject: x\nContent-Type: multipart/report; report-type=delivery-status; boundary=r\n\n"
      "--r\n\nfailed\n--r\nContent-Type: message/delivery-status\n\nStatus: 5.0.0\n--r--\n");
  EXPECT_TRUE(a.is_delivery_status);
  Message b = parse_ok("Subject: x\nContent-Type: multipart/mixed; boundary=r\n\n--r\n"
                       "Content-Type: message/delivery-status\n\nStatus: 5.0.0\n--r--\n");
  EXPECT_TRUE(b.is_delivery_status);
  EXPECT_FALSE(parse_ok("Subject: x\n\nbody\n").is_delivery_status);
  Message c = parse_ok(corpus("mailparser-node/test/fixtures/delivery-status.eml"));
  EXPECT_TRUE(c.is_delivery_status);
  for (const char* f : {"delivery-status.txt", "delivery-status2.txt", "delivery-status-no-blank-line.txt",
                        "delivery-status-multiple-blank-lines.txt"})
    EXPECT_TRUE(parse_ok(corpus(std::string("mimekit/UnitTests/TestData/messages/") + f)).is_delivery_status) << f;
}

// --- broken input

TEST(ParseMessage, MissingBlankLineBetweenHeaderAndBody) {
  Message m = parse_ok("Subject: s\nFrom: a@b.c\nThis line is body\nmore\n");
  EXPECT_EQ(m.subject, "s");
  EXPECT_EQ(m.text_body, "This line is body\nmore\n");
  EXPECT_TRUE(has_warning(m, "blank line"));
  for (const char* f : {"malformedHeader-nocrlfcrlf.msg", "malformedHeaderStartsBody-nocrlfcrlf.msg"}) {
    Message c = parse_ok(corpus(std::string("james-mime4j/core/src/test/resources/testmsgs/") + f));
    EXPECT_EQ(c.subject, "this is a subject") << f;
    EXPECT_TRUE(c.text_body.starts_with("This is an invalid header")) << f;
    EXPECT_TRUE(has_warning(c, "blank line")) << f;
  }
}

TEST(ParseMessage, HeadersOnlyMessage) {
  Message m = parse_ok("Subject: only a header");
  EXPECT_EQ(m.subject, "only a header");
  EXPECT_TRUE(m.text_body.empty());
}

TEST(ParseMessage, MissingOrWrongBoundariesKeepTheText) {
  Message a = parse_ok("Subject: s\nContent-Type: multipart/mixed\n\nno boundary parameter\n");
  EXPECT_EQ(a.text_body, "no boundary parameter\n");
  EXPECT_TRUE(has_warning(a, "without boundary"));
  Message b = parse_ok("Subject: s\nContent-Type: multipart/mixed; boundary=zz\n\nnever delimited\n");
  EXPECT_EQ(b.text_body, "never delimited\n");
  EXPECT_TRUE(has_warning(b, "not found"));
  Message c = parse_ok("Subject: s\nContent-Type: multipart/mixed; boundary=zz\n\n--zz\n\nopen part\n");
  EXPECT_EQ(c.text_body, "open part\n");
  EXPECT_TRUE(has_warning(c, "closing boundary"));
  Message d = parse_ok(corpus("james-mime4j/core/src/test/resources/testmsgs/missing-boundary.msg"));
  EXPECT_EQ(d.text_body, "AAA\n\n");
  Message e = parse_ok(corpus("james-mime4j/core/src/test/resources/testmsgs/missing-inner-boundary.msg"));
  EXPECT_NE(e.text_body.find("Foo"), std::string::npos);
  EXPECT_NE(e.text_body.find("AAA"), std::string::npos);
}

TEST(ParseMessage, LongerBoundaryDoesNotSplitThePart) {
  Message m = parse_ok(
      "Subject: s\nContent-Type: multipart/mixed; boundary=abc\n\n--abc\n"
      "Content-Type: multipart/alternative; boundary=abcd\n\n--abcd\n\ninner text\n--abcd--\n"
      "--abc--\n");
  EXPECT_EQ(m.text_body, "inner text");
  EXPECT_TRUE(m.warnings.empty());
}

TEST(ParseMessage, NulBytesAreRemovedFromTextAndHeaders) {
  std::string raw = "Subject: a";
  raw += '\0';
  raw += "b\n\nbody";
  raw += '\0';
  raw += "text\n";
  Message m = parse_ok(raw);
  EXPECT_EQ(m.subject, "a b");
  EXPECT_EQ(m.text_body, "bodytext\n");
  EXPECT_TRUE(has_warning(m, "NUL"));
  // git's nul-plain is a bare body (no header at all); under a header it parses.
  std::string nul_plain = corpus("git-mailinfo/t/t5100/nul-plain");
  EXPECT_ERROR_CODE(parse_message(nul_plain), Code::ParseNotAMessage);
  Message g = parse_ok("Subject: patch\n" + nul_plain.substr(nul_plain.find('\n') + 1));
  EXPECT_NE(g.text_body.find("Some strange test"), std::string::npos);
  Message b64 = parse_ok(corpus("git-mailinfo/t/t5100/nul-b64.in"));
  EXPECT_EQ(b64.text_body.find('\0'), std::string::npos);
}

TEST(ParseMessage, HugeHeaderLineIsCutWithAWarning) {
  std::string raw = corpus("flanker/tests/fixtures/messages/long-header.eml");
  ASSERT_GT(raw.size(), 200u * 1024);
  auto t0 = std::chrono::steady_clock::now();
  Message m = parse_ok(raw);
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("[ speed    ] parse with a 0.2 MB header line: %.3f s\n", s);
  EXPECT_TRUE(has_warning(m, "longer than"));
  EXPECT_TRUE(m.subject.starts_with("Die heiße Zypernsonne"));
  EXPECT_EQ(m.text_body, "test");

  // A 5 MB line (mimetic would take > 20 s) and a header block over the limit.
  std::string big = "Subject: " + std::string(5 * 1024 * 1024, 'x') + "\nTo: a@b.c\n\nbody\n";
  t0 = std::chrono::steady_clock::now();
  Message b = parse_ok(big);
  s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("[ speed    ] parse with a 5 MB header line: %.3f s\n", s);
  EXPECT_EQ(b.subject.size(), ParseLimits{}.max_header_line);
  EXPECT_EQ(b.to[0].address, "a@b.c");
  std::string many = "Subject: s\n";
  for (int i = 0; i < 30000; ++i) many += "X-Filler: " + std::string(50, 'y') + "\n";
  many += "\nbody\n";
  Message c = parse_ok(many);
  EXPECT_TRUE(has_warning(c, "header block"));
  EXPECT_EQ(c.text_body, "body\n");
}

TEST(ParseMessage, DeepMultipartNestingIsCut) {
  const int levels = 5000;
  std::string raw = "Subject: deep\n";
  for (int i = 0; i < levels; ++i)
    raw += "Content-Type: multipart/mixed; boundary=\"b" + std::to_string(i) + "\"\n\n--b" +
           std::to_string(i) + "\n";
  raw += "Content-Type: text/plain\n\ninnermost\n";
  auto t0 = std::chrono::steady_clock::now();
  Message m = parse_ok(raw);
  std::printf("[ speed    ] parse of 5,000 nested multiparts: %.3f s\n",
              std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  EXPECT_TRUE(has_warning(m, "nesting deeper than 32"));
  EXPECT_TRUE(m.text_body.empty());
}

TEST(ParseMessage, ThousandDeepNestedMessagesParseInOneLevel) {
  std::string raw = "Subject: level 1000\n\ninnermost body\n";
  for (int i = 999; i >= 1; --i)
    raw = "Subject: level " + std::to_string(i) + "\nContent-Type: message/rfc822\n\n" + raw;
  Message m = parse_ok(raw);
  EXPECT_EQ(m.subject, "level 1");
  ASSERT_EQ(m.attachments.size(), 1u);
  EXPECT_EQ(m.attachments[0].filename, "level 2.eml");
  EXPECT_TRUE(m.attachments[0].data.starts_with("Subject: level 2\n"));
  // A million levels (30 MB): mimetic's own parser recurses per level and
  // overflows the stack here; ours never descends into message/rfc822.
  std::string million;
  million.reserve(31u * 1000000 + 32);
  for (int i = 0; i < 1000000; ++i) million += "Content-Type: message/rfc822\n\n";
  million += "Subject: inner\n\nbody\n";
  Message deep = parse_ok(million);
  ASSERT_EQ(deep.attachments.size(), 1u);
  EXPECT_EQ(deep.attachments[0].size, million.size() - 30);
  Message s = parse_ok(corpus("mimekit/UnitTests/TestData/messages/stack-overflow.txt"));
  EXPECT_EQ(s.subject, "Message Subject");
}

TEST(ParseMessage, PartCountIsLimited) {
  ParseLimits limits;
  limits.max_parts = 100;
  std::string raw = "Subject: many\nContent-Type: multipart/mixed; boundary=b\n\n";
  for (int i = 0; i < 1000; ++i) raw += "--b\nContent-Type: application/octet-stream\n\nx\n";
  raw += "--b--\n";
  auto m = parse_message(raw, limits);
  ASSERT_TRUE(m);
  EXPECT_LE(m->attachments.size(), 100u);
  EXPECT_TRUE(has_warning(*m, "MIME parts"));
}

// --- corpus subjects and names

struct SubjectCase {
  const char* file;
  const char* want;
};

TEST(ParseMessage, CorpusSubjectsInManyCharsets) {
  const SubjectCase cases[] = {
      {"spamassassin-public/tricky-selection/spam-2__00977.6b7587a392363b73c8312b72b4972c24.txt",
       "上次是你找我嗎?"},
      {"spamassassin-public/tricky-selection/spam-2__00880.f1a18307c9d2a5ccf7a7a2318bdb0509.txt",
       "最新台灣省工商名錄-1-167-"},
      {"spamassassin-public/tricky-selection/spam-1__00311.9797029f3ee441b00f3b7521e573cb96.txt",
       "re:我知道你需要更多機會,一起來吧!"},
      {"spamassassin-public/tricky-selection/spam-1__00327.7f21bc8575786a0e00341a6407b9f286.txt",
       "未承諾広告※灼熱！出会いの広場"},
      {"spamassassin-public/tricky-selection/spam-1__00481.5c95b526e965fa325044123c4ce29c1f.txt",
       "一网“惠”天下，一展天下知----2003年4月1日--4"},
      {"mimekit/UnitTests/TestData/messages/japanese.txt", "日本語メールテスト (testing Japanese emails)"},
      {"mikel-mail/spec/fixtures/emails/multi_charset/japanese_iso_2022.eml", "まみむめも"},
      {"php-mime-mail-parser/tests/mails/issue116", "ЖД№41 от 28.09.2016"},
      {"hunnysoft-via-mail-mime-parser/tests/_data/emails/m0010.txt",
       "Die Hasen und die Frösche (Microsoft Outlook 00)"},
  };
  for (const auto& c : cases) EXPECT_EQ(parse_ok(corpus(c.file)).subject, c.want) << c.file;
}

TEST(ParseMessage, CorpusBodiesInAsianCharsets) {
  Message k = parse_ok(corpus("mikel-mail/spec/fixtures/emails/multi_charset/ks_c_5601-1987.eml"));
  EXPECT_NE(k.text_body.find("스티해"), std::string::npos);
  Message j = parse_ok(corpus("mikel-mail/spec/fixtures/emails/multi_charset/japanese_shift_jis.eml"));
  EXPECT_NE(j.text_body.find("あいうえお"), std::string::npos);
}

TEST(ParseMessage, CorpusRfc2231FileNames) {
  for (const char* f : {"attachment-filename-encoding-Latin1.msg", "attachment-filename-encoding-UTF8.msg"}) {
    Message m = parse_ok(corpus(std::string("james-mime4j/core/src/test/resources/mimetools-testmsgs/") + f));
    ASSERT_EQ(m.attachments.size(), 1u) << f;
    EXPECT_EQ(m.attachments[0].filename, "attachment.äöü") << f;
    EXPECT_EQ(m.attachments[0].data, "Test\n") << f;
  }
}

TEST(ParseMessage, CorpusOutlookThreadIndexAndPriority) {
  Message m = parse_ok(corpus("mimekit/UnitTests/TestData/tnef/ukr.eml"));
  EXPECT_EQ(m.thread_index, "AQHTXFWT3T6z7C8m9k2GE+t0ZVEeeQ==");
  Message h = parse_ok(corpus("hunnysoft-via-mail-mime-parser/tests/_data/emails/m4006.txt"));
  EXPECT_EQ(h.thread_index, "AdC0xOxFwE/tigzGSJa9glHhu/rfhwAAPsBAAAAKniAAALxy8AAFWj6wACl+OlAAAMOMIAAA+uBQAAAPpKA=");
  EXPECT_EQ(h.message_id, "004801d0b58b$a5da1980$f18e4c80$@email.test");
  EXPECT_EQ(parse_ok(corpus("hunnysoft-via-mail-mime-parser/tests/_data/emails/m1008.txt")).priority, 2);
}

}  // namespace
}  // namespace crmr
