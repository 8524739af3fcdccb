#include "core/base/normalize.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <regex>

#include "core/base/ascii.h"

namespace crmr {
namespace {

std::string_view strip_angles(std::string_view s) {
  s = trim(s);
  if (s.size() >= 2 && s.front() == '<' && s.back() == '>') s = trim(s.substr(1, s.size() - 2));
  return s;
}


constexpr std::uint32_t kFnvBasis = 2166136261u;
constexpr std::uint32_t kFnvPrime = 16777619u;

std::int32_t fnv1a(std::string_view s) {
  std::uint32_t h = kFnvBasis;
  for (unsigned char c : s) {
    h ^= c;
    h *= kFnvPrime;
  }
  return static_cast<std::int32_t>(h);
}

void sort_unique_cap(std::vector<std::int32_t>& v, int max_count) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  if (max_count > 0 && v.size() > static_cast<size_t>(max_count)) v.resize(max_count);
}

}  // namespace

std::string normalize_address(std::string_view address) {
  return ascii_lower(strip_angles(address));
}

std::string normalize_message_id(std::string_view id) {
  std::string out(strip_angles(id));
  auto at = out.rfind('@');
  if (at != std::string::npos)
    out.replace(at, std::string::npos, ascii_lower(std::string_view(out).substr(at)));
  return out;
}

std::string normalize_token(std::string_view token) {
  std::string out;
  out.reserve(token.size());
  for (char c : token) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') continue;
    out.push_back((c >= 'a' && c <= 'z') ? char(c - 'a' + 'A') : c);
  }
  return out;
}

std::optional<std::string> base64_decode(std::string_view in) {
  static const std::array<int, 256> table = [] {
    std::array<int, 256> t{};
    t.fill(-1);
    const char* chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (int i = 0; i < 64; ++i) t[static_cast<unsigned char>(chars[i])] = i;
    return t;
  }();
  std::string out;
  out.reserve(in.size() * 3 / 4);
  std::uint32_t acc = 0;
  int bits = 0;
  bool padding = false;
  for (unsigned char c : in) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') continue;
    if (c == '=') {
      padding = true;
      continue;
    }
    if (padding || table[c] < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<std::uint32_t>(table[c]);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return out;
}

std::string ascii_upper(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return out;
}

std::string base64_encode(std::string_view in) {
  static const char* chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    std::uint32_t n = (std::uint8_t(in[i]) << 16) | (std::uint8_t(in[i + 1]) << 8) |
                      std::uint8_t(in[i + 2]);
    out += chars[(n >> 18) & 63];
    out += chars[(n >> 12) & 63];
    out += chars[(n >> 6) & 63];
    out += chars[n & 63];
  }
  if (i < in.size()) {
    std::uint32_t n = std::uint8_t(in[i]) << 16;
    if (i + 1 < in.size()) n |= std::uint8_t(in[i + 1]) << 8;
    out += chars[(n >> 18) & 63];
    out += chars[(n >> 12) & 63];
    out += (i + 1 < in.size()) ? chars[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::optional<std::string> conversation_key(std::string_view thread_index_base64) {
  auto raw = base64_decode(thread_index_base64);
  if (!raw || raw->size() < 22) return std::nullopt;
  static const char* hex = "0123456789abcdef";
  std::string out;
  out.reserve(44);
  for (size_t i = 0; i < 22; ++i) {
    auto b = static_cast<unsigned char>((*raw)[i]);
    out += hex[b >> 4];
    out += hex[b & 15];
  }
  return out;
}

namespace {

// The organisation's default subject filter (OrgSettings, Dynamics' own): a
// leading run of "word:" prefixes such as "RE: FW: " with the white space
// around them.
constexpr char kDefaultSubjectFilter[] = R"(^[\s]*([\w]+\s?:[\s]*)+)";

// std::regex's \s and \w in the "C" locale (no other is ever set).
bool regex_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }
bool regex_word(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// The length of what kDefaultSubjectFilter matches at the start of `s` (0:
// no match), as std::regex finds it. Each "word:" group is matched one way
// only (a word run cannot start or end on white space or ':'), so the greedy
// repetition is the longest run of whole groups, with no backtracking.
std::size_t default_filter_match(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size() && regex_space(s[i])) ++i;
  std::size_t matched = 0;
  for (;;) {
    std::size_t j = i;
    while (j < s.size() && regex_word(s[j])) ++j;
    if (j == i) break;
    if (j < s.size() && regex_space(s[j])) ++j;
    if (j >= s.size() || s[j] != ':') break;
    ++j;
    while (j < s.size() && regex_space(s[j])) ++j;
    matched = i = j;
  }
  return matched;
}

}  // namespace

std::vector<std::int32_t> subject_hashes(std::string_view subject,
                                         const std::string& filter_regex, int max_count) {
  std::string filtered;
  std::string_view s = subject;
  if (filter_regex == kDefaultSubjectFilter) {
    // The common case, by hand: std::regex costs microseconds per subject,
    // which a cache of millions of tracked e-mails pays at every import.
    s.remove_prefix(default_filter_match(s));
  } else if (!filter_regex.empty()) {
    // Compiling a std::regex costs far more than matching: keep the last one.
    thread_local std::string cached_pattern;
    thread_local std::optional<std::regex> cached;
    if (filter_regex != cached_pattern) {
      cached_pattern = filter_regex;
      try {
        cached.emplace(filter_regex, std::regex::ECMAScript | std::regex::icase);
      } catch (const std::regex_error&) {
        cached.reset();  // an unusable organisation regex hashes the subject as it is
      }
    }
    if (cached) {
      filtered = std::regex_replace(std::string(subject), *cached, "",
                                    std::regex_constants::format_first_only);
      s = filtered;
    }
  }
  // Words split at white space, each hashed (FNV-1a) as it is read, lower-cased.
  std::vector<std::int32_t> out;
  std::uint32_t h = kFnvBasis;
  bool in_word = false;
  auto flush = [&] {
    if (in_word) out.push_back(static_cast<std::int32_t>(h));
    h = kFnvBasis;
    in_word = false;
  };
  for (char c : s) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      flush();
    } else {
      h ^= static_cast<unsigned char>(ascii_lower(c));
      h *= kFnvPrime;
      in_word = true;
    }
  }
  flush();
  sort_unique_cap(out, max_count);
  return out;
}

std::vector<std::int32_t> address_hashes(const std::vector<std::string>& addresses,
                                         int max_count) {
  std::vector<std::int32_t> out;
  out.reserve(addresses.size());
  for (const auto& a : addresses) out.push_back(fnv1a(normalize_address(a)));
  sort_unique_cap(out, max_count);
  return out;
}

}  // namespace crmr
