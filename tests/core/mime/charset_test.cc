// Charset conversion and header decoding (core/mime/charset.h).
#include "core/mime/charset.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace crmr {
namespace {

struct ConvCase {
  const char* charset;
  std::string bytes;
  const char* want;
};

TEST(ToUtf8, ConvertsEveryCommonMailCharset) {
  const ConvCase cases[] = {
      {"big5", "\xA7\xDA\xC4\xB9\xBF\xFA\xA4" "F", "我贏錢了"},
      {"Big5", "\xF9\xD6", "碁"},  // CP950 extension beyond plain Big5
      {"gb2312", "\xD6\xD0\xCE\xC4\xD3\xCA\xBC\xFE", "中文邮件"},
      {"gb2312", "\x86\xB4", "喆"},  // GBK character in a GB2312-labelled text
      {"gbk", "\xD6\xD0\xCE\xC4", "中文"},
      {"iso-2022-jp", "\x1B$BF|K\\8l%a!<%k\x1B(B", "日本語メール"},
      {"ISO-2022-JP", "\x1B$B-!\x1B(B1", "①1"},  // NEC row 13, as Japanese mailers send it
      {"ks_c_5601-1987", "\xC7\xD1\xB1\xB9\xBE\xEE", "한국어"},
      {"euc-kr", "\x8C" "c", "똠"},
      {"windows-1250", "P\xF8\xEDli\x9A \x9Elu\x9Dou\xE8k\xFD", "Příliš žluťoučký"},
      {"windows-1251", "\xCF\xF0\xE8\xE2\xE5\xF2", "Привет"},
      {"windows-1252", "Caf\xE9 \x93quoted\x94 \x80", "Café “quoted” €"},
      {"iso-8859-1", "Caf\xE9 \x80", "Café €"},  // read as windows-1252, as browsers do
      {"koi8-r", "\xF0\xD2\xC9\xD7\xC5\xD4", "Привет"},
      {"utf-7", "Hi Mom -+Jjo--!", "Hi Mom -☺-!"},
      {"shift_jis", "\x93\xFA\x96{\x8C\xEA", "日本語"},
      {"euc-jp", "\xC6\xFC\xCB\xDC\xB8\xEC", "日本語"},
      {"iso-8859-2", "Za\xBF\xF3\xB3\xE6", "Zażółć"},
      {"UTF-8", "\xEF\xBB\xBFh\xC3\xA9", "hé"},  // byte order mark dropped
      {"us-ascii", "plain", "plain"},
  };
  for (const auto& c : cases) {
    bool replaced = true;
    EXPECT_EQ(to_utf8(c.bytes, c.charset, &replaced), c.want) << c.charset;
    EXPECT_FALSE(replaced) << c.charset;
  }
}

TEST(ToUtf8, JunkLabelsFallBackToUtf8OrWindows1252) {
  const ConvCase cases[] = {
      {"3Dwindows-1252", "Caf\xE9", "Café"},
      {"=3Diso-8859-1", "Caf\xE9", "Café"},
      {"\"utf-8\"", "h\xC3\xA9", "hé"},
      {"default", "Caf\xE9", "Café"},
      {"unicode", "h\xC3\xA9", "hé"},
      {"unknown-8bit", "Caf\xE9", "Café"},
      {"x-no-such-charset", "h\xC3\xA9", "hé"},
      {"x-no-such-charset", "Caf\xE9", "Café"},
      {"", "na\xC3\xAFve", "naïve"},
      {"", "na\xEFve", "naïve"},
      {"us-ascii", "Caf\xE9", "Café"},        // 8-bit in a 7-bit label
      {"iso-2022-jp", "h\xC3\xA9", "hé"},     // mislabelled UTF-8
      {"utf-8", "Caf\xE9 \xC3\xA9", "Café é"},  // stray Latin-1 byte in UTF-8 text
  };
  for (const auto& c : cases) EXPECT_EQ(to_utf8(c.bytes, c.charset), c.want) << c.charset;
}

TEST(ToUtf8, ReportsFallback) {
  bool replaced = false;
  EXPECT_EQ(to_utf8("Caf\xE9", "", &replaced), "Café");
  EXPECT_TRUE(replaced);
  EXPECT_EQ(to_utf8("Café", "", &replaced), "Café");
  EXPECT_FALSE(replaced);
}

TEST(ToUtf8, BadBytesInMultibyteTextBecomeReplacementCharacters) {
  bool replaced = false;
  EXPECT_EQ(to_utf8("\xA4\xA4\xFF\xA4\xE5", "big5", &replaced), "中\xEF\xBF\xBD文");
  EXPECT_TRUE(replaced);
}

struct HeaderCase {
  const char* raw;
  const char* want;
};

TEST(DecodeHeaderText, Rfc2047AppendixExamples) {
  const HeaderCase cases[] = {
      {"=?ISO-8859-1?Q?a?=", "a"},
      {"=?ISO-8859-1?Q?a?= b", "a b"},
      {"=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?=", "ab"},
      {"=?ISO-8859-1?Q?a?=  =?ISO-8859-1?Q?b?=", "ab"},
      {"=?ISO-8859-1?Q?a?=\r\n    =?ISO-8859-1?Q?b?=", "ab"},
      {"=?ISO-8859-1?Q?a_b?=", "a b"},
      {"=?ISO-8859-1?Q?a?= =?ISO-8859-2?Q?_b?=", "a b"},
      {"(=?ISO-8859-1?Q?a?=)", "(a)"},
      {"(=?ISO-8859-1?Q?a?= b)", "(a b)"},
  };
  for (const auto& c : cases) EXPECT_EQ(decode_header_text(c.raw), c.want) << c.raw;
}

TEST(DecodeHeaderText, DecodesAnyCharsetAndJoinsSplitCharacters) {
  const HeaderCase cases[] = {
      {"=?utf-8?B?5pel5pys6Kqe?=", "日本語"},
      // One UTF-8 character split across two encoded words.
      {"=?utf-8?B?5pel5g==?= =?utf-8?B?nKzoqp7jga7jg4bjgq3jgrnjg4g=?=", "日本語のテキスト"},
      {"=?utf-8?Q?=E6=97?= =?utf-8?Q?=A5?=", "日"},
      {"=?big5?Q?=A4W=A6=B8=ACO=A7A=A7=E4=A7=DA=B6=DC=3F?=", "上次是你找我嗎?"},
      // Big5 trail byte 0x5F left raw as '_' by the sender.
      {"=?big5?Q?=A4@=B0_=A8=D3=A7a!?=", "一起來吧!"},
      {"=?GB2312?B?1tDOxNPKvP4=?=", "中文邮件"},
      {"=?ks_c_5601-1987?B?x9Gxub7u?=", "한국어"},
      {"=?ISO-2022-JP?B?GyRCRnxLXDhsGyhC?=", "日本語"},
      {"=?koi8-r?B?8NLJ18XU?=", "Привет"},
      {"=?windows-1251?Q?=CF=F0=E8=E2=E5=F2?=", "Привет"},
      {"=?Windows-1252?Q?Die_Hasen_und_die_Fr=F6sche?=", "Die Hasen und die Frösche"},
      {"=?utf-7?Q?Hi_+Jjo-?=", "Hi ☺"},
      {"=?utf-8*en?Q?lang_suffix?=", "lang suffix"},
      {"=?UTF-8?q?lower_case_q?=", "lower case q"},
      {"Re: =?utf-8?Q?caf=C3=A9?= ok", "Re: café ok"},
      {"Re:=?utf-8?Q?caf=C3=A9?=", "Re:café"},
      {"=?utf-8?Q?a?= plain =?utf-8?Q?b?=", "a plain b"},
      {"=?utf-8?B?w6k?=", "é"},  // missing padding
      {"caf\xC3\xA9 raw UTF-8", "café raw UTF-8"},
      {"caf\xE9 raw Latin-1", "café raw Latin-1"},
      {"=?broken", "=?broken"},
      {"=?utf-8?X?unknown-encoding?=", "=?utf-8?X?unknown-encoding?="},
      {"a =? b ?= c", "a =? b ?= c"},
      {"  padded\t", "padded"},
      {"", ""},
  };
  for (const auto& c : cases) EXPECT_EQ(decode_header_text(c.raw), c.want) << c.raw;
}

TEST(DecodeHeaderText, GitMailinfoRfc2047Samples) {
  std::ifstream in(std::string(CRMR_CORPUS_DIR) + "/git-mailinfo/t/t5100/rfc2047-samples.mbox",
                   std::ios::binary);
  ASSERT_TRUE(in);
  std::vector<std::string> subjects;
  std::string line, current;
  bool in_subject = false;
  while (std::getline(in, line)) {
    if (in_subject && (line.starts_with(" ") || line.starts_with("\t"))) {
      current += line;
      continue;
    }
    if (in_subject) subjects.push_back(current);
    in_subject = line.starts_with("Subject: ");
    if (in_subject) current = line.substr(9);
  }
  if (in_subject) subjects.push_back(current);
  const std::vector<std::string> want = {
      "If you can read this you understand the example.",
      "Time for ISO 10646?",
      "Re: RFC-HDR care and feeding",
      "Test of new header generator",
      "(a)",
      "(a b)",
      "(ab)",
      "(ab)",
      "(ab)",
      "(a b)",
      "(a b)",
  };
  ASSERT_EQ(subjects.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i)
    EXPECT_EQ(decode_header_text(subjects[i]), want[i]) << subjects[i];
}

TEST(DecodeRfc2231, CharsetLanguageAndPercentEscapes) {
  const HeaderCase cases[] = {
      {"UTF-8''%61%74%74%61%63%68%6D%65%6E%74%2E%C3%A4%C3%B6%C3%BC", "attachment.äöü"},
      {"iso-8859-1'de'Gr%FC%DFe.txt", "Grüße.txt"},
      {"us-ascii'en-us'This%20is%20%2A%2A%2Afun%2A%2A%2A", "This is ***fun***"},
      {"no-quotes%20here", "no-quotes here"},
      {"utf-8''bad%zz", "bad%zz"},
  };
  for (const auto& c : cases) EXPECT_EQ(decode_rfc2231(c.raw), c.want) << c.raw;
}

TEST(SanitizeUtf8, ReplacesInvalidSequences) {
  const HeaderCase cases[] = {
      {"ok é", "ok é"},
      {"a\xFF" "b", "a\xEF\xBF\xBD" "b"},
      {"\xC0\xAF", "\xEF\xBF\xBD\xEF\xBF\xBD"},          // overlong '/'
      {"\xED\xA0\x80", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"},  // surrogate
      {"\xE6\x97", "\xEF\xBF\xBD\xEF\xBF\xBD"},          // truncated
  };
  for (const auto& c : cases) EXPECT_EQ(sanitize_utf8(c.raw), c.want) << c.raw;
}

// glibc normalises labels such as "utf\xAD8" to its own UTF-8 codec, which
// passes obsolete 5- and 6-byte sequences through; found by fuzz_encoded_words.
TEST(ToUtf8, LabelGlibcReadsAsUtf8StillGivesValidUtf8) {
  bool replaced = false;
  const std::string out = to_utf8("a\xFC\xA1\xA1\xA1\xA1\xA1" "b", "utf\xAD" "8", &replaced);
  EXPECT_EQ(sanitize_utf8(out), out);
  EXPECT_TRUE(replaced);
  EXPECT_EQ(out.front(), 'a');
  EXPECT_EQ(out.back(), 'b');
  const std::string header = decode_header_text("=?utf\xAD" "8?q?\xFC\xA1\xA1\xA1\xA1\xA1?=");
  EXPECT_EQ(sanitize_utf8(header), header);
}

}  // namespace
}  // namespace crmr
