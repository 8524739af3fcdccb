// Charset conversion to UTF-8: label clean-up, the platform's converter
// (charset_backend.h: iconv, or Windows code pages), and the fallback for unlabelled or mislabelled text (valid UTF-8
// is kept, anything else is read as windows-1252). Header decoding (RFC 2047,
// RFC 2231) lives in encoded_word.cc.
#include "core/mime/charset.h"
#include "core/base/utf8.h"

#include "core/mime/iso2022jp.h"

#include "core/mime/charset_backend.h"

#include <optional>
#include <string>
#include <unordered_map>

namespace crmr {
namespace {

// windows-1252 0x80..0x9F; the five undefined bytes map to the C1 code point.
constexpr char16_t kCp1252High[32] = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178};


void append_cp1252(std::string& out, unsigned char c) {
  if (c < 0x80) out.push_back(char(c));
  else if (c < 0xA0) append_utf8(out, kCp1252High[c - 0x80]);
  else append_utf8(out, c);
}

// Length of the valid UTF-8 sequence starting at s[i], or 0 if invalid
// (overlong forms, surrogates and code points above U+10FFFF are invalid).
std::size_t utf8_sequence(std::string_view s, std::size_t i) {
  auto c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) return 1;
  std::size_t n;
  unsigned char lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) n = 2;
  else if (c == 0xE0) n = 3, lo = 0xA0;
  else if (c >= 0xE1 && c <= 0xEC) n = 3;
  else if (c == 0xED) n = 3, hi = 0x9F;
  else if (c >= 0xEE && c <= 0xEF) n = 3;
  else if (c == 0xF0) n = 4, lo = 0x90;
  else if (c >= 0xF1 && c <= 0xF3) n = 4;
  else if (c == 0xF4) n = 4, hi = 0x8F;
  else return 0;
  if (i + n > s.size()) return 0;
  auto c1 = static_cast<unsigned char>(s[i + 1]);
  if (c1 < lo || c1 > hi) return 0;
  for (std::size_t k = 2; k < n; ++k) {
    auto ck = static_cast<unsigned char>(s[i + k]);
    if (ck < 0x80 || ck > 0xBF) return 0;
  }
  return n;
}

bool is_ascii(std::string_view s) {
  for (unsigned char c : s)
    if (c >= 0x80) return false;
  return true;
}

bool is_valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    std::size_t n = utf8_sequence(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

std::string cp1252_to_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size() + s.size() / 8);
  for (unsigned char c : s) append_cp1252(out, c);
  return out;
}

// Valid UTF-8 sequences kept, each stray byte read as windows-1252: for text
// labelled UTF-8 that has a few bad bytes.
std::string mixed_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    std::size_t n = utf8_sequence(s, i);
    if (n == 0) {
      append_cp1252(out, static_cast<unsigned char>(s[i]));
      ++i;
    } else {
      out.append(s.data() + i, n);
      i += n;
    }
  }
  return out;
}

// What a cleaned-up label means.
enum class Kind { Fallback, Ascii, Utf8, Cp1252, Iconv };

struct Canonical {
  Kind kind;
  std::string iconv_name;  // for Kind::Iconv
};

Canonical canonical_charset(std::string_view label) {
  std::string s;
  s.reserve(label.size());
  for (char c : label) {
    if (c == '"' || c == '\'' || c == ' ' || c == '\t') continue;
    s.push_back((c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c);
  }
  // "=3Dwindows-1252": a quoted-printable-encoded '=' left in the label.
  while (s.size() > 2 && s.starts_with("3d")) s.erase(0, 2);
  if (auto star = s.find('*'); star != std::string::npos) s.resize(star);  // RFC 2231 language
  if (s.empty() || s == "default" || s == "unicode" || s == "unknown-8bit" ||
      s == "x-unknown" || s == "unknown" || s == "none" || s == "charset" || s == "8bit" ||
      s == "x-user-defined")
    return {Kind::Fallback, {}};
  if (s == "us-ascii" || s == "ascii" || s == "ansi_x3.4-1968" || s == "iso646-us" ||
      s == "us" || s == "7bit")
    return {Kind::Ascii, {}};
  if (s == "utf-8" || s == "utf8" || s == "x-utf-8" || s == "utf-8-sig") return {Kind::Utf8, {}};
  if (s == "windows-1252" || s == "cp1252" || s == "iso-8859-1" || s == "iso8859-1" ||
      s == "iso_8859-1" || s == "latin1" || s == "latin-1" || s == "l1" || s == "x-cp1252" ||
      s == "iso-8859-15" || s == "iso8859-15" || s == "ansi" || s == "iso_8859-1:1987" ||
      s == "windows-1252http-equivcontent-type")
    return s.find("15") != std::string::npos ? Canonical{Kind::Iconv, "ISO-8859-15"}
                                              : Canonical{Kind::Cp1252, {}};
  static const std::unordered_map<std::string, std::string> aliases = {
      {"ks_c_5601-1987", "CP949"}, {"ks_c_5601", "CP949"},     {"ks_c_5601-1989", "CP949"},
      {"euc-kr", "CP949"},         {"korean", "CP949"},        {"x-windows-949", "CP949"},
      {"gb2312", "GB18030"},       {"gbk", "GB18030"},         {"cp936", "GB18030"},
      {"x-gbk", "GB18030"},        {"gb_2312-80", "GB18030"},  {"euc-cn", "GB18030"},
      {"big5", "CP950"},           {"x-x-big5", "CP950"},      {"big-5", "CP950"},
      {"cn-big5", "CP950"},        {"iso-2022-jp", "ISO-2022-JP"},  {"csiso2022jp", "ISO-2022-JP"},
      {"shift_jis", "CP932"},      {"shift-jis", "CP932"},     {"sjis", "CP932"},
      {"x-sjis", "CP932"},         {"windows-31j", "CP932"},   {"ms_kanji", "CP932"},
      {"iso-8859-8-i", "ISO-8859-8"}, {"iso-8859-6-i", "ISO-8859-6"},
      {"x-mac-roman", "MACINTOSH"}, {"mac", "MACINTOSH"},      {"tis-620", "CP874"},
      {"windows-874", "CP874"},    {"utf7", "UTF-7"},          {"x-unicode-2-0-utf-7", "UTF-7"},
      {"unicode-1-1-utf-7", "UTF-7"}, {"cp-850", "CP850"},     {"koi8r", "KOI8-R"},
  };
  if (auto it = aliases.find(s); it != aliases.end()) return {Kind::Iconv, it->second};
  return {Kind::Iconv, s};
}

std::string fallback(std::string_view bytes, bool* replaced) {
  if (is_valid_utf8(bytes)) return std::string(bytes);
  if (replaced) *replaced = true;
  return cp1252_to_utf8(bytes);
}

}  // namespace

std::string to_utf8(std::string_view bytes, std::string_view charset, bool* replaced) {
  if (replaced) *replaced = false;
  if (bytes.empty()) return {};
  Canonical cs = canonical_charset(charset);
  switch (cs.kind) {
    case Kind::Fallback:
    case Kind::Ascii:
      return is_ascii(bytes) ? std::string(bytes) : fallback(bytes, replaced);
    case Kind::Utf8:
      if (bytes.starts_with("\xEF\xBB\xBF")) bytes.remove_prefix(3);
      if (is_valid_utf8(bytes)) return std::string(bytes);
      if (replaced) *replaced = true;
      return mixed_utf8(bytes);
    case Kind::Cp1252:
      return is_ascii(bytes) ? std::string(bytes) : cp1252_to_utf8(bytes);
    case Kind::Iconv:
      break;
  }
  std::optional<std::string> sjis;
  if (cs.iconv_name == "ISO-2022-JP") {
    sjis = iso2022jp_to_cp932(bytes);
    cs.iconv_name = sjis ? "CP932" : "ISO-2022-JP-2";
    if (sjis) bytes = *sjis;
  }
  std::optional<Converted> conv = convert_to_utf8(cs.iconv_name, bytes);
  if (!conv) return is_ascii(bytes) ? std::string(bytes) : fallback(bytes, replaced);
  std::string out = std::move(conv->text);
  bool clean = conv->clean;
  // glibc's own UTF-8 codec, reached by labels it normalises to UTF-8 (e.g.
  // "utf\xAD8"), passes 5- and 6-byte sequences through: check what it made.
  if (!is_valid_utf8(out)) {
    out = sanitize_utf8(out);
    clean = false;
  }
  if (clean) return out;
  // The bytes do not fit the label: text that is valid UTF-8 was mislabelled.
  if (!is_ascii(bytes) && is_valid_utf8(bytes)) {
    if (replaced) *replaced = true;
    return std::string(bytes);
  }
  if (replaced) *replaced = true;
  return out;
}

std::string sanitize_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    std::size_t n = utf8_sequence(s, i);
    if (n == 0) {
      out.append("\xEF\xBF\xBD");
      ++i;
    } else {
      out.append(s.data() + i, n);
      i += n;
    }
  }
  return out;
}

}  // namespace crmr
