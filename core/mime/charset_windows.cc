// Windows implementation of charset_backend.h: the code pages of
// MultiByteToWideChar, then UTF-16 to UTF-8. Windows has no iconv; the code
// pages cover the charsets mail is labelled with (ISO-8859-*, windows-125x,
// CJK double-byte sets, KOI8, Mac Roman, UTF-7). ISO-2022-JP is decoded to
// CP932 by our own iso2022jp.cc before it gets here, as on every platform.
#include <windows.h>

#include <cctype>
#include <cstdlib>
#include <unordered_map>

#include "core/mime/charset_backend.h"

namespace crmr {
namespace {

std::string upper(const std::string& s) {
  std::string u = s;
  for (char& c : u) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return u;
}

// The code page for an iconv charset name, 0 when there is none.
UINT code_page(const std::string& iconv_name) {
  static const std::unordered_map<std::string, UINT> named = {
      {"GB18030", 54936},   {"GB2312", 936},      {"KOI8-R", 20866},   {"KOI8-U", 21866},
      {"MACINTOSH", 10000}, {"MACROMAN", 10000},  {"UTF-7", 65000},    {"EUC-JP", 20932},
      {"ISO-2022-JP-2", 50220}, {"ISO-2022-KR", 50225}, {"EUC-TW", 0}, {"HZ-GB-2312", 52936},
      {"ISO-8859-8-I", 38598}, {"TIS-620", 874},  {"VISCII", 0},       {"BIG5-HKSCS", 950},
      {"UTF-8", 65001},
  };
  std::string n = upper(iconv_name);
  if (auto it = named.find(n); it != named.end()) return it->second;
  auto number_after = [&](std::string_view prefix) -> UINT {
    if (n.size() <= prefix.size() || n.compare(0, prefix.size(), prefix) != 0) return 0;
    char* end = nullptr;
    unsigned long v = std::strtoul(n.c_str() + prefix.size(), &end, 10);
    return (end && *end == '\0') ? static_cast<UINT>(v) : 0;
  };
  if (UINT v = number_after("ISO-8859-"); v >= 1 && v <= 16) return 28590 + v;
  if (UINT v = number_after("ISO8859-"); v >= 1 && v <= 16) return 28590 + v;
  if (UINT v = number_after("ISO_8859-"); v >= 1 && v <= 16) return 28590 + v;
  if (UINT v = number_after("WINDOWS-")) return v;
  if (UINT v = number_after("CP")) return v;
  if (UINT v = number_after("IBM")) return v;
  return 0;
}

// UTF-16 to UTF-8 (lone surrogates become U+FFFD, as WideCharToMultiByte does).
std::string utf16_to_utf8(const std::wstring& w) {
  if (w.empty()) return {};
  int n = WideCharToMultiByte(CP_UTF8, 0, w.data(), static_cast<int>(w.size()), nullptr, 0,
                              nullptr, nullptr);
  std::string s(static_cast<std::size_t>(n), '\0');
  WideCharToMultiByte(CP_UTF8, 0, w.data(), static_cast<int>(w.size()), s.data(), n, nullptr,
                      nullptr);
  return s;
}

}  // namespace

std::optional<Converted> convert_to_utf8(const std::string& name, std::string_view bytes) {
  UINT cp = code_page(name);
  CPINFO info{};
  // GB18030 (54936) is missing from some systems (Wine among them): GBK (936),
  // which it extends, reads all but its four-byte sequences.
  if (cp == 54936 && !GetCPInfo(cp, &info)) cp = 936;
  if (cp == 0 || !GetCPInfo(cp, &info)) return std::nullopt;
  Converted c;
  if (bytes.empty()) return c;
  const int len = static_cast<int>(bytes.size());
  // Strict first. Some code pages (UTF-7, the ISO-2022 ones) take no flags:
  // for them a replacement in the output is what tells. Bytes that do not fit
  // are converted again with the system's replacement, marked unclean.
  DWORD flags = MB_ERR_INVALID_CHARS;
  int n = MultiByteToWideChar(cp, flags, bytes.data(), len, nullptr, 0);
  if (n == 0 && GetLastError() == ERROR_INVALID_FLAGS) {
    flags = 0;
    n = MultiByteToWideChar(cp, flags, bytes.data(), len, nullptr, 0);
  } else if (n == 0) {
    c.clean = false;
    flags = 0;
    n = MultiByteToWideChar(cp, flags, bytes.data(), len, nullptr, 0);
  }
  if (n == 0) return std::nullopt;
  std::wstring w(static_cast<std::size_t>(n), L'\0');
  MultiByteToWideChar(cp, flags, bytes.data(), len, w.data(), n);
  for (wchar_t& ch : w) {
    // Double-byte code pages map byte pairs outside the standard onto the
    // Private Use Area instead of failing; iconv, and so the Linux build,
    // calls them invalid. Do the same so both decide alike.
    bool private_use = info.MaxCharSize > 1 && ch >= 0xE000 && ch <= 0xF8FF;
    if (private_use || ch == 0xFFFD) {
      ch = 0xFFFD;
      c.clean = false;
    }
  }
  c.text = utf16_to_utf8(w);
  return c;
}

}  // namespace crmr
