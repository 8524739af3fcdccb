// The archive readers as specifications: content detection, From_ lines,
// mbox flavours and unquoting, Content-Length, gzip, stdin-like streams,
// Maildir and trees, and the failure cases (empty, binary, truncated,
// over-limit, missing).
#include <gtest/gtest.h>
#include <zlib.h>

#include <sstream>
#include <vector>

#include "core/base/utf8_path.h"
#include "core/sources/content_probe.h"
#include "core/sources/line_reader.h"
#include "core/sources/mbox_format.h"
#include "core/sources/stream_source.h"
#include "sources_test_util.h"
#include "tests/support/result_matchers.h"

namespace crmr {
namespace {

using test::body_of;
using test::Drained;
using test::drain;
using test::drain_path;
using test::kData;
using test::TempDir;
using test::write_file;

Drained drain_string(const std::string& bytes, const SourceOptions& opts = {}) {
  std::istringstream in(bytes);
  auto src = open_istream(in, "test-input", opts);
  if (!src) return Drained{{}, {}, src.error()};
  return drain(**src);
}

std::string gzip(const std::string& plain) {
  z_stream z{};
  deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&z, plain.size()) + 64, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(plain.data()));
  z.avail_in = static_cast<uInt>(plain.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

const std::string kTwo =
    "From a@example.com Mon Jan  6 10:00:00 2020\n"
    "Subject: one\n\nbody one\n\n"
    "From b@example.com Tue Jan  7 11:30:00 2020\n"
    "Subject: two\n\nbody two\n";

// --- content detection -------------------------------------------------

struct HeadCase {
  const char* name;
  std::string head;
  ContentKind kind;
};

class ClassifyHead : public ::testing::TestWithParam<HeadCase> {};

TEST_P(ClassifyHead, JudgesByContent) {
  EXPECT_EQ(classify_head(GetParam().head, true), GetParam().kind) << GetParam().name;
}

INSTANTIATE_TEST_SUITE_P(
    Sources, ClassifyHead,
    ::testing::Values(
        HeadCase{"empty", "", ContentKind::Empty},
        HeadCase{"blank", " \r\n\t\n", ContentKind::Empty},
        HeadCase{"from line", "From x Mon Jan  6 10:00:00 2020\n", ContentKind::Mbox},
        HeadCase{"bom then from", "\xEF\xBB\xBF" "From -\n", ContentKind::Mbox},
        HeadCase{"blank lines then from", "   \n\t\nFrom x\n", ContentKind::Mbox},
        HeadCase{"spaces then from on one line", "   From x\n", ContentKind::Unknown},
        HeadCase{"header", "Received: from x\n", ContentKind::Eml},
        HeadCase{"spaces then header", std::string(256, ' ') + "Delivered-To: a@b\n",
                 ContentKind::Eml},
        HeadCase{"binary", std::string("\x78\x9f\x3e\x22\x00\x01", 6), ContentKind::Unknown},
        HeadCase{"html", "<html><body>hi</body></html>\n", ContentKind::Unknown},
        HeadCase{"text", "This is not a message.\n", ContentKind::Unknown},
        HeadCase{"quoted from", ">From x\n", ContentKind::Unknown}),
    [](const auto& info) {
      std::string n = info.param.name;
      for (char& c : n) c = std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
      return n;
    });

// --- From_ lines -------------------------------------------------------

struct FromCase {
  const char* line;
  bool separator;
  std::optional<std::int64_t> date;
};

class FromLine : public ::testing::TestWithParam<FromCase> {};

TEST_P(FromLine, ShapeAndDate) {
  const auto& c = GetParam();
  EXPECT_EQ(is_dated_from_line(c.line), c.separator) << c.line;
  EXPECT_EQ(from_line_date(c.line), c.date) << c.line;
}

INSTANTIATE_TEST_SUITE_P(
    Sources, FromLine,
    ::testing::Values(
        FromCase{"From nobody Mon Sep 17 00:00:00 2001\n", true, 1000684800},
        FromCase{"From jjl at pobox.com  Thu Nov  1 10:27:30 2001\n", true, 1004610450},
        FromCase{"From MAILER-DAEMON Fri Jul  8 12:08:34 2011\r\n", true, 1310126914},
        FromCase{"From x@y Fri Sep 26 17:18:40 +0200 2025\n", true, 1758899920},
        FromCase{"From x@y Thu Jan  1 00:00:00 1970\n", true, 0},
        FromCase{"From - Mon Jun  3 12:50:27 1996\n", true, 833806227},
        FromCase{"From - \n", true, std::nullopt},
        FromCase{"From Russia with love\n", false, std::nullopt},
        FromCase{"From the beginning, mbox should have been mboxrd\n", false, std::nullopt},
        FromCase{"From 1844347792267117879@xxx\n", false, std::nullopt},
        FromCase{"From: header@example.com\n", false, std::nullopt},
        FromCase{"From 10:00 to 11:00 we talk\n", false, std::nullopt}));

TEST(MboxFormat, ParsesOptionAndRejectsUnknown) {
  EXPECT_EQ(parse_mbox_format("auto"), MboxFormat::Auto);
  EXPECT_EQ(parse_mbox_format("mboxo"), MboxFormat::Mboxo);
  EXPECT_EQ(parse_mbox_format("mboxrd"), MboxFormat::Mboxrd);
  EXPECT_EQ(parse_mbox_format("mboxcl2"), MboxFormat::Mboxcl2);
  auto bad = parse_mbox_format("mmdf");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().scope, Scope::Run);
  SourceOptions opts;
  opts.mbox_format = "mmdf";
  EXPECT_EQ(drain_path(kData + "/quoting.mbox", opts).fatal->code, Code::SourceBadMboxFormat);
}

TEST(MboxFormat, FindsTopLevelMultipartBoundary) {
  EXPECT_EQ(multipart_boundary(" multipart/mixed; boundary=\"=-=-=\""), "=-=-=");
  EXPECT_EQ(multipart_boundary(" Multipart/Alternative;\r\n\tBoundary=abc; x=y"), "abc");
  EXPECT_EQ(multipart_boundary(" text/plain; boundary=abc"), "");
}

// --- mbox flavours -----------------------------------------------------

struct QuotingCase {
  const char* format;
  const char* expected_body;
};

class MboxQuoting : public ::testing::TestWithParam<QuotingCase> {};

TEST_P(MboxQuoting, UnquotesPerFlavour) {
  SourceOptions opts;
  opts.mbox_format = GetParam().format;
  auto d = drain_path(kData + "/quoting.mbox", opts);
  ASSERT_EQ(d.messages.size(), 2u) << GetParam().format;
  EXPECT_EQ(body_of(d.messages[0].bytes), GetParam().expected_body) << GetParam().format;
  EXPECT_EQ(body_of(d.messages[1].bytes), "body two\n");
}

INSTANTIATE_TEST_SUITE_P(
    Sources, MboxQuoting,
    ::testing::Values(
        QuotingCase{"mboxrd",
                    "From one level\n>From two levels\n>>From three levels\n"
                    "> From with a space stays\n>Fromage stays\n"
                    "From the middle of a sentence stays (no date)\n"},
        QuotingCase{"auto",
                    "From one level\n>From two levels\n>>From three levels\n"
                    "> From with a space stays\n>Fromage stays\n"
                    "From the middle of a sentence stays (no date)\n"},
        QuotingCase{"mboxo",
                    "From one level\n>>From two levels\n>>>From three levels\n"
                    "> From with a space stays\n>Fromage stays\n"
                    "From the middle of a sentence stays (no date)\n"},
        QuotingCase{"mboxcl2",
                    ">From one level\n>>From two levels\n>>>From three levels\n"
                    "> From with a space stays\n>Fromage stays\n"
                    "From the middle of a sentence stays (no date)\n"}));

TEST(Mbox, StripsFromLineKeepsDateAndNumbersPositions) {
  auto d = drain_path(kData + "/quoting.mbox");
  ASSERT_EQ(d.messages.size(), 2u);
  EXPECT_TRUE(d.messages[0].bytes.starts_with("From: Alice"));
  EXPECT_EQ(d.messages[0].source, kData + "/quoting.mbox");
  EXPECT_EQ(d.messages[0].position, "#1");
  EXPECT_EQ(d.messages[1].position, "#2");
  EXPECT_EQ(d.messages[0].envelope_date, 1578304800);  // 2020-01-06 10:00:00 UTC
}

TEST(Mbox, ContentLengthKeepsUnquotedFromLinesInBody) {
  auto d = drain_path(kData + "/content-length.mbox");
  ASSERT_EQ(d.messages.size(), 2u);
  EXPECT_EQ(body_of(d.messages[0].bytes),
            "first body line\nFrom dave@example.com Wed Jan  8 09:00:00 2020\n"
            "this line is still the first message\n");
  EXPECT_EQ(body_of(d.messages[1].bytes), "last message\n");
  // Told to ignore Content-Length, the dated From line splits the message.
  SourceOptions rd;
  rd.mbox_format = "mboxrd";
  EXPECT_EQ(drain_path(kData + "/content-length.mbox", rd).messages.size(), 3u);
}

TEST(Mbox, WrongContentLengthFallsBackToFromLines) {
  auto d = drain_path(kData + "/content-length-wrong.mbox");
  ASSERT_EQ(d.messages.size(), 3u);
  EXPECT_EQ(body_of(d.messages[0].bytes), "first body line\n");
  EXPECT_TRUE(d.messages[1].bytes.starts_with("this line is still the first message\n"));
  EXPECT_EQ(body_of(d.messages[2].bytes), "last message\n");
}

TEST(Mbox, ReadsCrlfFiles) {
  auto d = drain_path(kData + "/crlf.mbox");
  ASSERT_EQ(d.messages.size(), 2u);
  EXPECT_EQ(d.messages[0].bytes,
            "From: Frank <frank@example.com>\r\nSubject: crlf one\r\n\r\n"
            "From quoted\r\nbody one\r\n");
  EXPECT_EQ(body_of(d.messages[1].bytes), "body two\r\n");
  EXPECT_EQ(d.messages[1].envelope_date, 1578729600);  // 2020-01-11 08:00:00 UTC
}

TEST(Mbox, BareFromLineSplitsOnlyBetweenBlankLineAndHeader) {
  auto d = drain_string(
      "From 111@xxx\nSubject: one\n\nFrom Russia with love\nYear: 1963\n\n"
      "From 222@xxx\nSubject: two\n\nFrom 333@xxx\n\nend\n");
  ASSERT_EQ(d.messages.size(), 2u);
  // Three tokens after "From " are not a bare From_ line, even before a
  // header-like "Year: 1963"; a bare one before a blank line is not either.
  EXPECT_EQ(body_of(d.messages[0].bytes), "From Russia with love\nYear: 1963\n");
  EXPECT_EQ(body_of(d.messages[1].bytes), "From 333@xxx\n\nend\n");
}

TEST(Mbox, DatedFromLineInsideOpenMultipartIsBodyText) {
  const std::string box =
      "From a@x Mon Jan  6 10:00:00 2020\n"
      "Content-Type: multipart/mixed;\n boundary=\"b1\"\n\n--b1\n\nnote\n--b1\n\n"
      "From 0123abcd Mon Sep 17 00:00:00 2001\nFrom: patch author\n\n--b1--\n\n"
      "From b@x Tue Jan  7 10:00:00 2020\nContent-Type: multipart/mixed; boundary=b2\n\n"
      "--b2\n\nnever closed\n\n"
      "From c@x Wed Jan  8 10:00:00 2020\nSubject: three\n\nthree\n";
  auto d = drain_string(box);
  ASSERT_EQ(d.messages.size(), 3u);
  EXPECT_NE(d.messages[0].bytes.find("From 0123abcd"), std::string::npos);
  EXPECT_EQ(body_of(d.messages[2].bytes), "three\n");
}

TEST(Mbox, TruncatedFileGivesWhatIsThere) {
  const std::string whole = test::slurp(kData + "/quoting.mbox");
  auto d = drain_string(whole.substr(0, whole.size() - 5));
  ASSERT_EQ(d.messages.size(), 2u);
  EXPECT_FALSE(d.fatal);
  EXPECT_EQ(body_of(d.messages[1].bytes), "body");
  // Cut inside a Content-Length body: the length no longer fits, so the
  // message ends where the input does.
  const std::string cl = test::slurp(kData + "/content-length.mbox");
  const std::string cut = cl.substr(0, 200);
  auto c = drain_string(cut);
  ASSERT_FALSE(c.fatal);
  ASSERT_EQ(c.messages.size(), 1u);
  EXPECT_TRUE(cut.ends_with(c.messages[0].bytes));
}

TEST(Mbox, OverLimitMessageIsAnErrorAndReadingGoesOn) {
  const std::string big(5000, 'x');
  const std::string box = "From a@x Mon Jan  6 10:00:00 2020\nSubject: small\n\none\n\n"
                          "From b@x Tue Jan  7 10:00:00 2020\nSubject: big\n\n" + big +
                          "\n\nFrom c@x Wed Jan  8 10:00:00 2020\nSubject: after\n\nthree\n";
  SourceOptions opts;
  opts.max_message_bytes = 1000;
  std::istringstream in(box);
  auto src = open_istream(in, "big.mbox", opts);
  ASSERT_TRUE(src);
  auto m1 = (*src)->next();
  ASSERT_TRUE(m1 && *m1);
  auto m2 = (*src)->next();
  ASSERT_FALSE(m2);
  EXPECT_EQ(m2.error().scope, Scope::Message);
  EXPECT_ERROR_CODE(m2, Code::SourceMessageTooLarge);
  EXPECT_NE(m2.error().message.find("#2"), std::string::npos);
  EXPECT_NE(m2.error().message.find("big.mbox"), std::string::npos);
  auto m3 = (*src)->next();
  ASSERT_TRUE(m3 && *m3);
  EXPECT_EQ((*m3)->position, "#3");
  EXPECT_EQ(body_of((*m3)->bytes), "three\n");
  auto end = (*src)->next();
  ASSERT_TRUE(end);
  EXPECT_FALSE(*end);
}

TEST(LineReader, LongLineWithoutNewlineComesInPieces) {
  const std::string data = std::string(3u << 20, 'a') + "\nFrom x\nend";
  std::istringstream in(data);
  LineReader r(istream_stream(in, "t"), 1u << 20);
  LineReader::Line line;
  std::string joined;
  std::vector<bool> complete;
  while (*r.next(line)) {
    joined.append(line.text);
    complete.push_back(line.complete);
  }
  EXPECT_EQ(joined, data);
  ASSERT_GE(complete.size(), 4u);
  EXPECT_FALSE(complete.front());
  EXPECT_TRUE(complete.back());
  EXPECT_EQ(r.offset(), data.size());
}

// --- single messages, streams, gzip ---------------------------------------

TEST(Eml, OneMessageVerbatim) {
  const std::string eml = "Subject: hi\r\n\r\nFrom the start\r\n";
  auto d = drain_string(eml);
  ASSERT_EQ(d.messages.size(), 1u);
  EXPECT_EQ(d.messages[0].bytes, eml);
  EXPECT_EQ(d.messages[0].position, "#1");
  SourceOptions small;
  small.max_message_bytes = 10;
  auto over = drain_string(eml, small);
  EXPECT_TRUE(over.messages.empty());
  ASSERT_EQ(over.message_errors.size(), 1u);
  EXPECT_EQ(over.message_errors[0].code, Code::SourceMessageTooLarge);
}

TEST(Stream, ReadsMboxFromANonSeekableStream) {
  auto d = drain_string(kTwo);
  ASSERT_EQ(d.messages.size(), 2u);
  EXPECT_EQ(d.messages[0].source, "test-input");
  EXPECT_EQ(d.messages[1].bytes, "Subject: two\n\nbody two\n");
}

TEST(Stream, EmptyAndBlankInputHaveNoMessages) {
  for (std::string s : {"", "\n\n  \r\n"}) {
    auto d = drain_string(s);
    EXPECT_FALSE(d.fatal);
    EXPECT_TRUE(d.messages.empty());
  }
  TempDir dir("empty");
  write_file(dir.path() / "empty.mbox", "");
  auto d = drain_path((dir.path() / "empty.mbox").string());
  EXPECT_FALSE(d.fatal);
  EXPECT_TRUE(d.messages.empty());
}

// File and folder names are UTF-8 on every platform; on Windows too, where a
// std::filesystem::path made from a std::string takes the C library's code
// page instead, and "M\u00e4rz.mbox" was "no such file".
TEST(Stream, NonAsciiFileAndFolderNamesAreFoundAndNamedInUtf8) {
  TempDir dir("names");
  const std::string base = utf8_string(dir.path());
  const std::string mbox = base + "/Bestellungen M\u00e4rz \u65e5\u672c.mbox";
  write_file(utf8_path(mbox), kTwo);
  auto d = drain_path(mbox);
  ASSERT_FALSE(d.fatal) << d.fatal->describe();
  ASSERT_EQ(d.messages.size(), 2u);
  EXPECT_NE(d.messages[0].source.find("M\u00e4rz \u65e5\u672c"), std::string::npos)
      << d.messages[0].source;

  const std::string maildir = base + "/Postf\u00e4cher/Verk\u00e4ufe";
  write_file(utf8_path(maildir + "/new/Best\u00e4tigung-1.eml"), "Subject: eins\n\nText\n");
  std::filesystem::create_directories(utf8_path(maildir + "/cur"));
  auto m = drain_path(maildir);
  ASSERT_FALSE(m.fatal) << m.fatal->describe();
  ASSERT_EQ(m.messages.size(), 1u);
  EXPECT_NE((m.messages[0].source + " " + m.messages[0].position).find("Best\u00e4tigung-1.eml"),
            std::string::npos)
      << m.messages[0].source << " " << m.messages[0].position;
}

TEST(Stream, BinaryInputIsUnknownContent) {
  auto d = drain_string(std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16));
  ASSERT_TRUE(d.fatal);
  EXPECT_EQ(d.fatal->code, Code::SourceUnknownContent);
  EXPECT_EQ(d.fatal->scope, Scope::Mailbox);
}

TEST(Gzip, ShippedGzipMboxEqualsPlainFile) {
  auto gz = drain_path(kData + "/quoting.mbox.gz");
  auto plain = drain_path(kData + "/quoting.mbox");
  ASSERT_EQ(gz.messages.size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) EXPECT_EQ(gz.messages[i].bytes, plain.messages[i].bytes);
  auto src = open_source(kData + "/quoting.mbox.gz");
  ASSERT_TRUE(src);
  EXPECT_TRUE((*src)->describe().starts_with("gzip mbox"));
}

TEST(Gzip, DetectsEmlAndConcatenatedMembersAfterDecompressing) {
  auto eml = drain_string(gzip("Subject: zipped\n\nbody\n"));
  ASSERT_EQ(eml.messages.size(), 1u);
  EXPECT_EQ(eml.messages[0].bytes, "Subject: zipped\n\nbody\n");
  const std::string half = kTwo.substr(0, 60);
  auto two = drain_string(gzip(half) + gzip(kTwo.substr(60)));
  ASSERT_EQ(two.messages.size(), 2u);
  EXPECT_EQ(two.messages[1].bytes, "Subject: two\n\nbody two\n");
}

TEST(Gzip, TruncatedOrCorruptDataEndsTheSource) {
  std::string z = gzip(kTwo + std::string(100000, 'q'));
  auto cut = drain_string(z.substr(0, z.size() / 2));
  ASSERT_TRUE(cut.fatal);
  EXPECT_EQ(cut.fatal->scope, Scope::Mailbox);
  std::string bad = z;
  for (std::size_t i = 20; i < 60; ++i) bad[i] = static_cast<char>(~bad[i]);
  auto corrupt = drain_string(bad);
  EXPECT_TRUE(corrupt.fatal);
}

// --- folders --------------------------------------------------------------

TEST(Maildir, ReadsCurAndNewIgnoresTmpAndHiddenFiles) {
  TempDir dir("maildir");
  write_file(dir.path() / "cur/200.b:2,S", "Subject: cur 200\n\nx\n");
  write_file(dir.path() / "new/100.a", "Subject: new 100\n\nx\n");
  write_file(dir.path() / "new/300.c", "Subject: new 300\n\nx\n");
  write_file(dir.path() / "tmp/150.partial", "Subject: tmp\n\nx\n");
  write_file(dir.path() / "cur/.hidden", "Subject: hidden\n\nx\n");
  auto d = drain_path(dir.path().string());
  ASSERT_EQ(d.messages.size(), 3u);
  EXPECT_EQ(d.messages[0].position, "new/100.a");
  EXPECT_EQ(d.messages[1].position, "cur/200.b:2,S");
  EXPECT_EQ(d.messages[2].position, "new/300.c");
  EXPECT_TRUE(d.messages[0].envelope_date.has_value());
}

TEST(Tree, WalksSortedOpensEachFileByContentAndReportsNonMail) {
  TempDir dir("tree");
  write_file(dir.path() / "b/two.mbox", kTwo);
  write_file(dir.path() / "a.eml", "Subject: a\n\nx\n");
  write_file(dir.path() / "c/d/zipped", gzip("Subject: zipped\n\nx\n"));
  write_file(dir.path() / ".git/config", "Subject: hidden\n\nx\n");
  write_file(dir.path() / "notes.txt", "not mail at all\n");
  write_file(dir.path() / "empty", "");
  auto d = drain_path(dir.path().string());
  ASSERT_FALSE(d.fatal);
  ASSERT_EQ(d.messages.size(), 4u);
  EXPECT_EQ(d.messages[0].position, "a.eml");
  EXPECT_EQ(d.messages[1].position, "b/two.mbox#1");
  EXPECT_EQ(d.messages[2].position, "b/two.mbox#2");
  EXPECT_EQ(d.messages[3].position, "c/d/zipped");
  EXPECT_EQ(d.messages[3].source, dir.path().string());
  ASSERT_EQ(d.message_errors.size(), 1u);
  EXPECT_EQ(d.message_errors[0].scope, Scope::Message);
  EXPECT_NE(d.message_errors[0].message.find("notes.txt"), std::string::npos);
}

TEST(Tree, OverLimitMessageInAFileIsAMessageError) {
  TempDir dir("tree-limit");
  write_file(dir.path() / "1.eml", "Subject: big\n\n" + std::string(3000, 'x'));
  write_file(dir.path() / "2.eml", "Subject: small\n\nx\n");
  SourceOptions opts;
  opts.max_message_bytes = 1000;
  auto d = drain_path(dir.path().string(), opts);
  ASSERT_EQ(d.messages.size(), 1u);
  EXPECT_EQ(d.messages[0].position, "2.eml");
  ASSERT_EQ(d.message_errors.size(), 1u);
  EXPECT_NE(d.message_errors[0].message.find("1.eml"), std::string::npos);
}

TEST(OpenSource, MissingPathIsAMailboxError) {
  auto src = open_source(kData + "/no-such-file.mbox");
  ASSERT_FALSE(src);
  EXPECT_ERROR_CODE(src, Code::SourceNotFound);
  EXPECT_EQ(src.error().scope, Scope::Mailbox);
  EXPECT_NE(src.error().message.find("no-such-file.mbox"), std::string::npos);
}

TEST(OpenSource, KindNamesAreStable) {
  EXPECT_STREQ(to_string(SourceKind::Maildir), "maildir");
  EXPECT_STREQ(to_string(SourceKind::GzipMbox), "gzip-mbox");
}

}  // namespace
}  // namespace crmr
