// TNEF (winmail.dat): the decoder against the real samples of three projects
// (verdammelt/tnef with its *.list oracles, ytnef, MimeKit), whole messages
// through parse_message, LZFu and RTF de-encapsulation on their own, and
// hostile input (truncation, garbage, huge declared lengths) that must end
// with bounded output.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/mime/lzfu.h"
#include "core/mime/mime_parser.h"
#include "core/mime/rtf_text.h"
#include "core/mime/tnef.h"
#include "tests/support/result_matchers.h"

namespace crmr {
namespace {

namespace fs = std::filesystem;

const fs::path kCorpus = CRMR_CORPUS_DIR;
const fs::path kTnefData = kCorpus / "tnef/tests/files/datafiles";
const fs::path kMimekit = kCorpus / "mimekit/UnitTests/TestData/tnef";
const fs::path kYtnef = kCorpus / "ytnef/test-data";

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Every TNEF stream of the corpus: *.tnef, winmail.dat and the ytnef crash case.
std::vector<fs::path> all_tnef_files() {
  std::vector<fs::path> out;
  for (const fs::path& dir : {kTnefData, kMimekit, kYtnef}) {
    if (!fs::is_directory(dir)) continue;
    for (const auto& e : fs::directory_iterator(dir)) {
      std::string ext = e.path().extension().string();
      if (ext == ".tnef" || ext == ".dat" || ext.empty()) out.push_back(e.path());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

// How the body came out of a stream, for the table.
std::string body_kind(const TnefContent& t) {
  if (!t.html_body.empty()) return t.rtf_from_html ? "html(rtf)" : "html";
  if (!t.text_body.empty()) return t.rtf.empty() ? "text" : "text+rtf";
  if (!t.rtf.empty()) return "rtf";
  return "none";
}

TEST(Tnef, CorpusTable) {
  auto files = all_tnef_files();
  ASSERT_FALSE(files.empty());
  std::printf("%-58s %-8s %-10s %s\n", "file", "files", "body", "names");
  for (const fs::path& f : files) {
    std::string data = read_file(f);
    auto t = decode_tnef(data);
    std::string rel = fs::relative(f, kCorpus).string();
    if (!t) {
      std::printf("%-58s %-8s %-10s %s\n", rel.c_str(), "-", "-", std::string(t.error().code_name()).c_str());
      continue;
    }
    std::string names;
    for (const auto& a : t->attachments)
      names += a.filename + " [" + a.content_type + ", " + std::to_string(a.size) + "]; ";
    std::printf("%-58s %-8zu %-10s %s\n", rel.c_str(), t->attachments.size(), body_kind(*t).c_str(),
                names.c_str());
    for (const auto& w : t->warnings) std::printf("    warning: %s\n", w.c_str());
  }
}

// Builds TNEF streams for the synthetic cases.
std::string le(std::uint32_t v, int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s.push_back(char((v >> (8 * i)) & 0xFF));
  return s;
}

struct TnefBuilder {
  std::string bytes = le(0x223E9F78, 4) + le(0x0102, 2);
  TnefBuilder& attr(int level, std::uint32_t id, std::string_view data) {
    std::uint32_t sum = 0;
    for (unsigned char c : data) sum += c;
    bytes += char(level) + le(id, 4) + le(std::uint32_t(data.size()), 4) + std::string(data) +
             le(sum & 0xFFFF, 2);
    return *this;
  }
};

// A MAPI property list with one PT_UNICODE string per (id, text) pair.
std::string unicode_props(std::vector<std::pair<std::uint16_t, std::string>> props) {
  std::string s = le(std::uint32_t(props.size()), 4);
  for (auto& [id, text] : props) {
    std::string utf16;
    for (char c : text) utf16 += std::string{c, '\0'};
    utf16 += std::string(2, '\0');
    s += le(0x001F, 2) + le(id, 2) + le(1, 4) + le(std::uint32_t(utf16.size()), 4) + utf16;
    s += std::string((4 - utf16.size() % 4) % 4, '\0');
  }
  return s;
}

constexpr std::uint32_t kAttachRendData = 0x00069002, kAttachTitle = 0x00018010,
                        kAttachData = 0x0006800F, kAttachment = 0x00069005,
                        kMsgProps = 0x00069003;

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(line);
  return out;
}

// The names a decoded stream yields as files: its attachments, then body.rtf
// for a native RTF body (what expand_tnef adds).
std::vector<std::string> file_names(const TnefContent& t) {
  std::vector<std::string> out;
  for (const auto& a : t.attachments) out.push_back(a.filename);
  if (!t.rtf.empty() && !t.rtf_from_html) out.push_back("body.rtf");
  return out;
}

// verdammelt/tnef's oracles list the files `tnef --save-body` writes: the
// attachments, then "<stem>-body.rtf" / "<stem>-body.html" for the body. We
// read "<stem>-body.rtf" as our body.rtf attachment and "<stem>-body.html" as
// an HTML body (not a file). Every sample then matches its list exactly but
// one: multi-value-attribute's RTF is \fromhtml1, so we de-encapsulate it into
// html_body instead of keeping body.rtf (the brief asks for exactly that).
// long-filename.list and missing-filenames.list name only the body, yet tnef's
// own debug baselines for the same files (tests/files/baselines/*.baseline:
// "WRITING .../allproductsmar2000.dat", ".../generpts.src", ...) show it
// extracting the files we extract; those lists are taken as incomplete and the
// files checked against the baselines' names (kExtraFiles). The oracle's body.html entries are also absent for unicode-mapi-attr*.tnef
// although they carry PR_HTML (tnef's test ran those without --save-body), so
// an HTML body is not checked against the list.
const std::map<std::string, std::vector<std::string>> kExtraFiles = {
    {"long-filename", {"allproductsmar2000.dat"}},
    {"missing-filenames",
     {"generpts.src", "TechlibDEC99.doc", "TechlibDEC99-JAN00.doc", "TechlibNOV99.doc"}},
};

TEST(Tnef, NamesMatchTnefListOracles) {
  ASSERT_TRUE(fs::is_directory(kTnefData));
  int checked = 0;
  for (const auto& e : fs::directory_iterator(kTnefData)) {
    if (e.path().extension() != ".list") continue;
    std::string stem = e.path().stem().string();
    std::string data = read_file(kTnefData / (stem + ".tnef"));
    auto t = decode_tnef(data);
    ASSERT_TRUE(t.has_value()) << stem;
    std::vector<std::string> expected;
    bool expect_html = false;
    if (auto extra = kExtraFiles.find(stem); extra != kExtraFiles.end()) expected = extra->second;
    for (const std::string& line : lines_of(read_file(e.path()))) {
      if (line == stem + "-body.rtf") {
        expected.push_back("body.rtf");
      } else if (line == stem + "-body.html") {
        expect_html = true;
      } else {
        expected.push_back(line);
      }
    }
    if (stem == "multi-value-attribute") {
      ASSERT_EQ(expected.back(), "body.rtf");
      expected.pop_back();  // \fromhtml1: became html_body, see above
      EXPECT_TRUE(t->rtf_from_html);
      EXPECT_NE(t->html_body.find("You received a voice mail"), std::string::npos);
    }
    EXPECT_EQ(file_names(*t), expected) << stem;
    if (expect_html) {
      EXPECT_FALSE(t->html_body.empty()) << stem;
    }
    ++checked;
  }
  EXPECT_EQ(checked, 15);
}

struct Sample {
  const char* file;
  std::vector<std::string> names;  // file_names(): attachments, then body.rtf
  const char* body;                // body_kind()
};

// MimeKit's samples (a superset of tnef's), names and body kinds pinned.
TEST(Tnef, MimekitSamples) {
  const std::vector<Sample> samples = {
      {"MAPI_ATTACH_DATA_OBJ.tnef", {"VIA_Nytt_1402.doc", "VIA_Nytt_1402.pdf", "VIA_Nytt_14021.htm", "body.rtf"}, "rtf"},
      {"MAPI_OBJECT.tnef", {"Untitled_Attachment", "body.rtf"}, "rtf"},
      {"attachments.tnef", {"zappa_av1.jpg", "bookmark.htm", "body.rtf"}, "rtf"},
      {"body.tnef", {}, "html"},
      // Two embedded messages (attach method 5), each with the same photo: flattened.
      {"christmas.tnef", {"kitten-playing-with-a-christmas-tree.jpg", "kitten-playing-with-a-christmas-tree.jpg", "body.rtf"}, "rtf"},
      {"data-before-name.tnef", {"AUTOEXEC.BAT", "CONFIG.SYS", "boot.ini", "body.rtf"}, "rtf"},
      {"garbage-at-end.tnef", {}, "none"},
      {"long-filename.tnef", {"allproductsmar2000.dat", "body.rtf"}, "rtf"},
      {"missing-filenames.tnef", {"generpts.src", "TechlibDEC99.doc", "TechlibDEC99-JAN00.doc", "TechlibNOV99.doc", "body.rtf"}, "rtf"},
      {"multi-name-property.tnef", {}, "none"},
      {"multi-value-attribute.tnef", {"208225__5_seconds__Voice_Mail.mp3"}, "html(rtf)"},
      {"one-file.tnef", {"AUTHORS"}, "none"},
      // Crafted: an invalid attribute level part-way; what precedes it is kept.
      {"panic.tnef", {"image001.jpg", "image002.jpg", "image003.png"}, "html"},
      {"rtf.tnef", {"body.rtf"}, "rtf"},
      {"triples.tnef", {"body.rtf"}, "text+rtf"},
      {"two-files.tnef", {"AUTHORS", "README"}, "none"},
      {"unicode-mapi-attr-name.tnef", {"spaconsole2.cfg", "image001.png", "image002.png", "image003.png"}, "html"},
      {"unicode-mapi-attr.tnef", {"example.dat"}, "html"},
      // Two OLE-stored (.msg) attachments without a name, as MimeKit names them.
      {"winmail.tnef", {"Untitled Attachment", "Untitled Attachment", "body.rtf"}, "rtf"},
  };
  for (const Sample& s : samples) {
    auto t = decode_tnef(read_file(kMimekit / s.file));
    ASSERT_TRUE(t.has_value()) << s.file;
    EXPECT_EQ(file_names(*t), s.names) << s.file;
    EXPECT_EQ(body_kind(*t), s.body) << s.file;
    for (const auto& w : t->warnings) EXPECT_EQ(w.find("CRC"), std::string::npos) << s.file << ": " << w;
  }
}

TEST(Tnef, AttachmentDataTypeAndUnicodeNames) {
  auto t = decode_tnef(read_file(kYtnef / "winmail.dat"));
  ASSERT_TRUE(t.has_value());
  ASSERT_EQ(t->attachments.size(), 2u);
  EXPECT_EQ(t->attachments[0].content_type, "image/jpeg");
  EXPECT_EQ(t->attachments[0].size, 2937u);
  EXPECT_EQ(t->attachments[0].data.substr(0, 3), "\xFF\xD8\xFF");
  // ytnef's copy keeps the original long (unicode) name; tnef's was renamed.
  auto mv = decode_tnef(read_file(kYtnef / "multi-value-attribute.tnef"));
  ASSERT_TRUE(mv.has_value());
  ASSERT_EQ(mv->attachments.size(), 1u);
  EXPECT_EQ(mv->attachments[0].filename, "208225 (5 seconds) Voice Mail.mp3");
  // Long name preferred over the 8.3 title.
  auto lf = decode_tnef(read_file(kTnefData / "long-filename.tnef"));
  ASSERT_TRUE(lf.has_value());
  ASSERT_EQ(lf->attachments.size(), 1u);
  EXPECT_EQ(lf->attachments[0].filename, "allproductsmar2000.dat");
  auto data = decode_tnef(read_file(kTnefData / "data-before-name.tnef"));
  ASSERT_TRUE(data.has_value());
  EXPECT_EQ(data->attachments[2].data.substr(0, 13), "[boot loader]");
}

TEST(Tnef, FuzzerCaseFromYtnefIsHarmless) {
  auto t = decode_tnef(read_file(kYtnef / "ytnef-oob-TNEFVersion-SwapWord"));
  ASSERT_TRUE(t.has_value());
  EXPECT_TRUE(t->attachments.empty());
  EXPECT_FALSE(t->warnings.empty());
}

TEST(Tnef, NotTnefIsAnError) {
  EXPECT_ERROR_CODE(decode_tnef(""), Code::TnefNotTnef);
  EXPECT_ERROR_CODE(decode_tnef("hello world, not tnef"), Code::TnefNotTnef);
}

// Whole messages: the winmail.dat part is replaced by what it holds.
TEST(TnefMessage, RichTextEmlGetsFilesAndBodyRtf) {
  auto m = parse_message(read_file(kMimekit / "rich-text.eml"));
  ASSERT_TRUE(m.has_value());
  std::vector<std::string> names;
  for (const auto& a : m->attachments) names.push_back(a.filename);
  EXPECT_EQ(names, (std::vector<std::string>{"kitten-playing-with-a-christmas-tree.jpg",
                                             "kitten-playing-with-a-christmas-tree.jpg",
                                             "body.rtf"}));
  EXPECT_EQ(m->attachments[2].content_type, "application/rtf");
  EXPECT_TRUE(m->attachments[2].data.starts_with("{\\rtf1"));
  // The outer text/plain body is kept; there is no HTML anywhere.
  EXPECT_NE(m->text_body.find("You've made this a Christmas to remember"), std::string::npos);
  EXPECT_TRUE(m->html_body.empty());
}

TEST(TnefMessage, UkrEmlKeepsTextAndTakesHtmlFromTnef) {
  auto m = parse_message(read_file(kMimekit / "ukr.eml"));
  ASSERT_TRUE(m.has_value());
  EXPECT_TRUE(m->attachments.empty());  // winmail.dat held only the body
  EXPECT_TRUE(m->text_body.starts_with("шостий"));  // outer text/plain, koi8-r
  EXPECT_NE(m->html_body.find("<p>шостий</p>"), std::string::npos);  // PR_HTML, koi8-r
}

TEST(TnefMessage, EmptyOuterBodyTakesRtfTextAndUndecodableTnefStays) {
  TnefBuilder b;
  std::string rtf = "{\\rtf1\\ansi\\ansicpg1251 \\'cf\\'f0\\'e8\\'e2\\'e5\\'f2\\par world}";
  // An uncompressed ("MELA") PR_RTF_COMPRESSED value.
  std::string rtf_value = le(std::uint32_t(rtf.size() + 12), 4) + le(std::uint32_t(rtf.size()), 4) +
                          "MELA" + le(0, 4) + rtf;
  std::string props = le(1, 4) + le(0x0102, 2) + le(0x1009, 2) + le(1, 4) +
                      le(std::uint32_t(rtf_value.size()), 4) + rtf_value +
                      std::string((4 - rtf_value.size() % 4) % 4, '\0');
  b.attr(1, kMsgProps, props);
  b.attr(2, kAttachRendData, std::string(14, '\0')).attr(2, kAttachTitle, std::string("A.TXT\0", 6));
  b.attr(2, kAttachData, "hello");
  std::string eml =
      "From: a@example.com\r\nSubject: t\r\nMIME-Version: 1.0\r\n"
      "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\n"
      "Content-Type: application/ms-tnef; name=\"winmail.dat\"\r\n"
      "Content-Transfer-Encoding: binary\r\n\r\n" + b.bytes + "\r\n--b\r\n"
      "Content-Type: application/ms-tnef; name=\"broken.dat\"\r\n\r\nnot tnef\r\n--b--\r\n";
  auto m = parse_message(eml);
  ASSERT_TRUE(m.has_value());
  ASSERT_EQ(m->attachments.size(), 3u);
  EXPECT_EQ(m->attachments[0].filename, "A.TXT");
  EXPECT_EQ(m->attachments[0].data, "hello");
  EXPECT_EQ(m->attachments[1].filename, "body.rtf");
  EXPECT_EQ(m->attachments[1].data, rtf);
  EXPECT_EQ(m->attachments[2].filename, "broken.dat");  // no TNEF signature: untouched
  EXPECT_EQ(m->text_body, "Привет\nworld");
}

// MS-OXRTFCP section 3.1.1 and 3.1.2 examples.
TEST(Lzfu, DecompressesTheSpecificationExamples) {
  const unsigned char simple[] = {
      0x2d, 0x00, 0x00, 0x00, 0x2b, 0x00, 0x00, 0x00, 0x4c, 0x5a, 0x46, 0x75, 0xf1, 0xc5, 0xc7, 0xa7,
      0x03, 0x00, 0x0a, 0x00, 0x72, 0x63, 0x70, 0x67, 0x31, 0x32, 0x35, 0x42, 0x32, 0x0a, 0xf3, 0x20,
      0x68, 0x65, 0x6c, 0x09, 0x00, 0x20, 0x62, 0x77, 0x05, 0xb0, 0x6c, 0x64, 0x7d, 0x0a, 0x80, 0x0f,
      0xa0};
  bool crc_ok = false;
  auto out = decompress_rtf(std::string_view(reinterpret_cast<const char*>(simple), sizeof simple),
                            1 << 20, &crc_ok);
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(*out, "{\\rtf1\\ansi\\ansicpg1252\\pard hello world}\r\n");
  EXPECT_TRUE(crc_ok);
  const unsigned char run[] = {0x1a, 0x00, 0x00, 0x00, 0x1c, 0x00, 0x00, 0x00, 0x4c, 0x5a,
                               0x46, 0x75, 0xe2, 0xd4, 0x4b, 0x51, 0x41, 0x00, 0x04, 0x20,
                               0x57, 0x58, 0x59, 0x5a, 0x0d, 0x6e, 0x7d, 0x01, 0x0e, 0xb0};
  out = decompress_rtf(std::string_view(reinterpret_cast<const char*>(run), sizeof run), 1 << 20, &crc_ok);
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(*out, "{\\rtf1 WXYZWXYZWXYZWXYZWXYZ}");
  EXPECT_TRUE(crc_ok);
}

TEST(Lzfu, RejectsBadHeadersAndCapsOutput) {
  EXPECT_FALSE(decompress_rtf("short").has_value());
  std::string huge_declared = le(0xFFFFFFF0u, 4) + le(0xFFFFFFF0u, 4) + "LZFu" + le(0, 4) + "xx";
  EXPECT_ERROR_CODE(decompress_rtf(huge_declared), Code::TnefRtfSize);
  std::string unknown = le(12, 4) + le(0, 4) + "ABCD" + le(0, 4);
  EXPECT_ERROR_CODE(decompress_rtf(unknown), Code::TnefRtfType);
  // A raw size of 4 GiB with a tiny body: output bounded by what the body can expand to.
  std::string body(64, '\xFF');  // all references
  std::string lying = le(std::uint32_t(body.size() + 12), 4) + le(0xFFFFFFFFu, 4) + "LZFu" + le(0, 4) + body;
  auto out = decompress_rtf(lying);
  ASSERT_TRUE(out.has_value());
  EXPECT_LE(out->size(), body.size() * 9 + 16);
}

TEST(RtfText, DeencapsulatesHtml) {
  std::string rtf =
      "{\\rtf1\\ansi\\ansicpg1251\\fromhtml1 \\deff0{\\fonttbl{\\f0 Arial;}}"
      "{\\*\\htmltag19 <html>}{\\*\\htmltag34 <head>}{\\*\\htmltag50 <body>}"
      "\\htmlrtf {\\b \\htmlrtf0{\\*\\htmltag84 <b>}\\htmlrtf Bold\\htmlrtf0 Bold"
      "{\\*\\htmltag92 </b>}\\htmlrtf }\\htmlrtf0 \\'cf\\u1080?{\\*\\htmltag64 <br>}\\par"
      "{\\*\\mhtmltag84 <img src=\"x\">}{\\*\\htmltag58 </body></html>}}";
  EXPECT_EQ(rtf_origin(rtf), RtfOrigin::Html);
  EXPECT_EQ(rtf_to_html(rtf), "<html><head><body><b>Bold</b>Пи<br>\n</body></html>");
}

TEST(RtfText, ExtractsPlainTextAndSkipsDestinations) {
  std::string rtf =
      "{\\rtf1\\ansi{\\fonttbl{\\f0 Arial;}}{\\colortbl;\\red0;}{\\*\\generator x;}"
      "Hello\\tab {\\b world}\\par {\\field{\\*\\fldinst HYPERLINK \"u\"}{\\fldrslt link}}"
      "\\{x\\}\\\\ {\\pict 0102}\\uc2\\u8364\\'80\\'80!}";
  EXPECT_EQ(rtf_origin(rtf), RtfOrigin::Rtf);
  EXPECT_EQ(rtf_to_text(rtf), "Hello\tworld\nlink{x}\\ €!");
}

TEST(RtfText, DeepNestingAndTruncationAreHarmless) {
  std::string deep(200000, '{');
  deep += "x\\";
  EXPECT_EQ(rtf_to_text(deep), "x");
  EXPECT_EQ(rtf_to_text("{\\rtf1 \\'4"), "");
  EXPECT_EQ(rtf_to_text("{\\rtf1 \\bin999999 abc"), "");
}

// Hostile streams built by hand.
TEST(TnefHostile, HugeDeclaredLengthsAreRefused) {
  TnefBuilder b;
  b.attr(2, kAttachRendData, std::string(14, '\0')).attr(2, kAttachData, "abc");
  std::string s = b.bytes + char(2) + le(kAttachData, 4) + le(0xFFFFFFF0u, 4) + "xyz";
  auto t = decode_tnef(s);
  ASSERT_TRUE(t.has_value());
  ASSERT_EQ(t->attachments.size(), 1u);
  EXPECT_EQ(t->attachments[0].data, "abc");
  EXPECT_FALSE(t->warnings.empty());
  // A MAPI list claiming 4 billion properties, and a string claiming 4 GiB.
  std::string props = le(0xFFFFFFFFu, 4) + le(0x001F, 2) + le(0x3707, 2) + le(1, 4) + le(0xFFFFFF00u, 4);
  TnefBuilder c;
  c.attr(2, kAttachRendData, std::string(14, '\0')).attr(2, kAttachment, props);
  c.attr(1, kMsgProps, le(0xFFFFFFFFu, 4) + le(0x0003, 2) + le(0x0E07, 2));
  auto u = decode_tnef(c.bytes);
  ASSERT_TRUE(u.has_value());
  EXPECT_TRUE(u->attachments.empty());  // no name, no data: nothing to keep
  EXPECT_GE(u->warnings.size(), 2u);
}

TEST(TnefHostile, AttachmentCountIsCapped) {
  TnefBuilder b;
  b.attr(1, kMsgProps, le(0, 4));
  for (int i = 0; i < 1500; ++i)
    b.attr(2, kAttachRendData, std::string(14, '\0')).attr(2, kAttachData, "x");
  TnefLimits limits;
  limits.max_attachments = 1000;
  auto t = decode_tnef(b.bytes, limits);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->attachments.size(), 1000u);
  EXPECT_FALSE(t->warnings.empty());
}

TEST(TnefHostile, EmbeddedMessagesNestOnlySoDeep) {
  // Each level: one attachment whose PR_ATTACH_DATA_OBJ is the next TNEF stream.
  std::string inner = TnefBuilder{}.attr(2, kAttachRendData, std::string(14, '\0'))
                          .attr(2, kAttachTitle, std::string("deep.txt\0", 9))
                          .attr(2, kAttachData, "bottom").bytes;
  for (int level = 0; level < 10; ++level) {
    std::string obj = std::string(16, '\0') + inner;
    std::string props = le(2, 4) + le(0x0003, 2) + le(0x3705, 2) + le(5, 4) +  // method: embedded
                        le(0x000D, 2) + le(0x3701, 2) + le(1, 4) + le(std::uint32_t(obj.size()), 4) + obj +
                        std::string((4 - obj.size() % 4) % 4, '\0');
    inner = TnefBuilder{}.attr(2, kAttachRendData, std::string(14, '\0')).attr(2, kAttachment, props).bytes;
  }
  auto t = decode_tnef(inner);
  ASSERT_TRUE(t.has_value());
  EXPECT_TRUE(t->attachments.empty());
  EXPECT_FALSE(t->warnings.empty());
  TnefLimits deep;
  deep.max_depth = 20;
  t = decode_tnef(inner, deep);
  ASSERT_TRUE(t.has_value());
  ASSERT_EQ(t->attachments.size(), 1u);
  EXPECT_EQ(t->attachments[0].filename, "deep.txt");
}

TEST(TnefHostile, LongNameWinsOverTitle) {
  TnefBuilder b;
  b.attr(2, kAttachRendData, std::string(14, '\0')).attr(2, kAttachTitle, std::string("LONGFI~1.PDF\0", 13));
  b.attr(2, kAttachData, "%PDF");
  b.attr(2, kAttachment, unicode_props({{0x3707, "Long file name.pdf"}, {0x3712, "<img1@x>"}}));
  auto t = decode_tnef(b.bytes);
  ASSERT_TRUE(t.has_value());
  ASSERT_EQ(t->attachments.size(), 1u);
  EXPECT_EQ(t->attachments[0].filename, "Long file name.pdf");
  EXPECT_EQ(t->attachments[0].content_type, "application/pdf");
  EXPECT_EQ(t->attachments[0].content_id, "img1@x");
  EXPECT_TRUE(t->attachments[0].is_inline);
}

// Every TNEF file of the corpus, whole, cut at many points and with bytes
// flipped: never a crash and a bounded output (the time it takes is printed
// for scripts/bench-internals).
TEST(TnefHostile, CorpusTruncatedAndMutated) {
  auto files = all_tnef_files();
  ASSERT_GE(files.size(), 40u);
  auto start = std::chrono::steady_clock::now();
  std::size_t runs = 0;
  std::uint32_t seed = 12345;
  auto next = [&seed] { return seed = seed * 1103515245u + 12345u; };
  for (const fs::path& f : files) {
    std::string data = read_file(f);
    auto check = [&](std::string_view in) {
      auto t = decode_tnef(in);
      ++runs;
      if (!t) return;
      std::size_t total = 0;
      for (const auto& a : t->attachments) total += a.size;
      EXPECT_LE(total, in.size()) << f;
      EXPECT_LE(t->attachments.size(), 1000u);
      EXPECT_LE(t->rtf.size(), in.size() * 9 + 16) << f;
      if (!t->rtf.empty()) (void)rtf_to_text(t->rtf);
    };
    check(data);
    std::size_t step = std::max<std::size_t>(1, data.size() / 60);
    for (std::size_t n = 0; n < data.size(); n += step) check(std::string_view(data).substr(0, n));
    check(data + std::string(1000, '\x02'));  // garbage after the end
    for (int i = 0; i < 40 && !data.empty(); ++i) {
      std::string m = data;
      for (int k = 0; k < 4; ++k) m[next() % m.size()] = char(next() >> 8);
      check(m);
    }
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("[ speed    ] TNEF hostile loop: %zu decodes over %zu files in %.2f s\n", runs,
              files.size(), secs);
}

}  // namespace
}  // namespace crmr
