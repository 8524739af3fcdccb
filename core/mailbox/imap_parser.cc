// IMAP framing and parsing; see imap_parser.h.
#include "core/mailbox/imap_parser.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>

#include "core/base/date_parse.h"

namespace crmr {
namespace {

constexpr int kMaxDepth = 64;  // nested lists; deeper is hostile input

std::unexpected<Error> protocol_error(std::string what) {
  return fail(Code::MailboxProtocol, "malformed IMAP response: " + std::move(what));
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::toupper(static_cast<unsigned char>(x)) ==
                  std::toupper(static_cast<unsigned char>(y));
         });
}

template <class N>
std::optional<N> to_number(std::string_view s) {
  N n{};
  if (s.empty()) return std::nullopt;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return n;
}

// "{123}" or "{123+}" at the end of `line` (CR already stripped): the length.
std::optional<std::size_t> literal_announcement(std::string_view line) {
  if (line.empty() || line.back() != '}') return std::nullopt;
  std::size_t open = line.rfind('{');
  if (open == std::string_view::npos) return std::nullopt;
  std::string_view digits = line.substr(open + 1, line.size() - open - 2);
  if (!digits.empty() && digits.back() == '+') digits.remove_suffix(1);
  if (digits.empty() || digits.size() > 12) return std::nullopt;
  for (char c : digits)
    if (c < '0' || c > '9') return std::nullopt;
  return to_number<std::size_t>(digits);
}

// Recursive-descent reader over one framed response.
class Reader {
 public:
  explicit Reader(std::string_view s) : s_(s) {}

  bool at_end() const { return i_ >= s_.size(); }
  char peek() const { return s_[i_]; }
  void skip_spaces() {
    while (i_ < s_.size() && s_[i_] == ' ') ++i_;
  }
  std::string_view rest() const { return s_.substr(std::min(i_, s_.size())); }
  void advance(std::size_t n) { i_ = std::min(i_ + n, s_.size()); }

  // A bare word up to the next space.
  std::string_view word() {
    std::size_t b = i_;
    while (i_ < s_.size() && s_[i_] != ' ') ++i_;
    return s_.substr(b, i_ - b);
  }

  Result<ImapValue> value(int depth) {
    if (depth > kMaxDepth) return protocol_error("lists nested too deeply");
    if (at_end()) return protocol_error("value expected at end of line");
    char c = peek();
    if (c == '(') return list(depth);
    if (c == '"') return quoted();
    if (c == '{') return literal();
    return atom();
  }

  Result<std::vector<ImapValue>> values_to_end() {
    std::vector<ImapValue> out;
    for (;;) {
      skip_spaces();
      if (at_end()) return out;
      auto v = value(0);
      if (!v) return std::unexpected(v.error());
      out.push_back(std::move(*v));
    }
  }

 private:
  Result<ImapValue> list(int depth) {
    ++i_;  // '('
    ImapValue v{ImapValue::Type::List, {}, {}};
    for (;;) {
      skip_spaces();
      if (at_end()) return protocol_error("unterminated list");
      if (peek() == ')') {
        ++i_;
        return v;
      }
      auto item = value(depth + 1);
      if (!item) return item;
      v.items.push_back(std::move(*item));
    }
  }

  Result<ImapValue> quoted() {
    ++i_;  // '"'
    ImapValue v{ImapValue::Type::String, {}, {}};
    while (i_ < s_.size()) {
      char c = s_[i_++];
      if (c == '"') return v;
      if (c == '\\' && i_ < s_.size()) c = s_[i_++];
      if (c == '\r' || c == '\n') break;
      v.text.push_back(c);
    }
    return protocol_error("unterminated quoted string");
  }

  Result<ImapValue> literal() {
    std::size_t close = s_.find('}', i_);
    if (close == std::string_view::npos) return protocol_error("bad literal announcement");
    std::string_view digits = s_.substr(i_ + 1, close - i_ - 1);
    if (!digits.empty() && digits.back() == '+') digits.remove_suffix(1);
    auto n = to_number<std::size_t>(digits);
    if (!n || s_.substr(close + 1, 2) != "\r\n") return protocol_error("bad literal announcement");
    std::size_t begin = close + 3;
    if (s_.size() - begin < *n) return protocol_error("literal shorter than announced");
    i_ = begin + *n;
    return ImapValue{ImapValue::Type::String, std::string(s_.substr(begin, *n)), {}};
  }

  // An atom, with any [section] (which may hold spaces and parens) and <partial>.
  Result<ImapValue> atom() {
    std::size_t b = i_;
    while (i_ < s_.size()) {
      char c = s_[i_];
      if (c == ' ' || c == '(' || c == ')' || c == '"' || c == '{' || c == '\r' || c == '\n')
        break;
      if (c == '[') {
        std::size_t close = s_.find(']', i_);
        if (close == std::string_view::npos) return protocol_error("unterminated [section]");
        i_ = close + 1;
        continue;
      }
      ++i_;
    }
    if (i_ == b) {
      if (s_[i_] == ')') return protocol_error("unbalanced ')'");
      return protocol_error("unexpected byte " + std::to_string(static_cast<unsigned char>(s_[i_])));
    }
    return ImapValue{ImapValue::Type::Atom, std::string(s_.substr(b, i_ - b)), {}};
  }

  std::string_view s_;
  std::size_t i_ = 0;
};

bool is_status(std::string_view w) {
  return w == "OK" || w == "NO" || w == "BAD" || w == "BYE" || w == "PREAUTH";
}

constexpr std::array<std::string_view, 12> kMonths = {
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

}  // namespace

void ImapFramer::append(std::string_view bytes) {
  if (start_ > 0 && start_ >= buf_.size() / 2) {
    buf_.erase(0, start_);
    line_start_ -= start_;
    scanned_ -= start_;
    start_ = 0;
  }
  buf_.append(bytes);
}

Result<std::optional<std::string>> ImapFramer::next() {
  if (scanned_ < line_start_) scanned_ = line_start_;
  for (;;) {
    if (literal_left_ > 0) {
      std::size_t take = std::min(buf_.size() - scanned_, literal_left_);
      scanned_ += take;
      literal_left_ -= take;
      if (literal_left_ > 0) return std::nullopt;
      line_start_ = scanned_;
    }
    std::size_t nl = buf_.find('\n', scanned_);
    if (nl == std::string::npos) {
      scanned_ = buf_.size();
      if (scanned_ - line_start_ > kMaxLine) return protocol_error("line longer than 64 MiB");
      return std::nullopt;
    }
    if (nl - line_start_ > kMaxLine) return protocol_error("line longer than 64 MiB");
    std::string_view line(buf_.data() + line_start_, nl - line_start_);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    scanned_ = nl + 1;
    if (auto n = literal_announcement(line)) {
      if (*n > kMaxLiteral) return protocol_error("literal larger than 1 GiB");
      literal_left_ = *n;
      line_start_ = scanned_;
      continue;
    }
    std::string out = buf_.substr(start_, scanned_ - start_);
    start_ = line_start_ = scanned_;
    return out;
  }
}

bool ImapValue::is_atom(std::string_view name) const {
  return type == Type::Atom && iequals(text, name);
}

std::optional<std::uint32_t> ImapValue::number() const {
  if (type != Type::Atom) return std::nullopt;
  return to_number<std::uint32_t>(text);
}

std::string ImapResponse::code_name() const {
  return upper(std::string_view(code).substr(0, code.find(' ')));
}

std::optional<std::uint32_t> ImapResponse::code_number() const {
  std::size_t sp = code.find(' ');
  if (sp == std::string::npos) return std::nullopt;
  std::string_view rest = std::string_view(code).substr(sp + 1);
  return to_number<std::uint32_t>(rest.substr(0, rest.find(' ')));
}

Result<ImapResponse> parse_imap_response(std::string_view frame) {
  if (frame.ends_with('\n')) frame.remove_suffix(1);
  if (frame.ends_with('\r')) frame.remove_suffix(1);
  Reader r(frame);
  ImapResponse out;
  std::string_view first = r.word();
  if (first.empty()) return protocol_error("empty line");
  if (first == "+") {
    out.kind = ImapResponse::Kind::Continuation;
    r.skip_spaces();
    out.text = std::string(r.rest());
    return out;
  }
  if (first == "*") {
    out.kind = ImapResponse::Kind::Untagged;
  } else {
    out.kind = ImapResponse::Kind::Tagged;
    out.tag = std::string(first);
  }
  r.skip_spaces();
  std::string word = upper(r.word());
  if (word.empty()) return protocol_error("response without a keyword");
  if (out.kind == ImapResponse::Kind::Untagged) {
    if (auto n = to_number<std::uint32_t>(word)) {
      out.number = n;
      r.skip_spaces();
      word = upper(r.word());
      if (word.empty()) return protocol_error("number without a keyword");
    }
  }
  if (is_status(word) && !out.number) {
    out.status = word;
    r.skip_spaces();
    std::string_view rest = r.rest();
    if (rest.starts_with('[')) {
      std::size_t close = rest.find(']');
      if (close == std::string_view::npos) return protocol_error("unterminated response code");
      out.code = std::string(rest.substr(1, close - 1));
      rest.remove_prefix(close + 1);
      while (rest.starts_with(' ')) rest.remove_prefix(1);
    }
    out.text = std::string(rest);
    return out;
  }
  if (out.kind == ImapResponse::Kind::Tagged)
    return protocol_error("tagged response without OK/NO/BAD");
  out.keyword = std::move(word);
  auto values = r.values_to_end();
  if (!values) return std::unexpected(values.error());
  out.values = std::move(*values);
  return out;
}

const ImapValue* fetch_item(const ImapResponse& r, std::string_view name) {
  if (r.values.empty() || r.values[0].type != ImapValue::Type::List) return nullptr;
  const auto& items = r.values[0].items;
  for (std::size_t i = 0; i + 1 < items.size(); i += 2)
    if (items[i].is_atom(name)) return &items[i + 1];
  return nullptr;
}

std::optional<std::int64_t> parse_internal_date(std::string_view s) {
  // "dd-Mon-yyyy hh:mm:ss +zzzz", day possibly space-padded.
  while (s.starts_with(' ')) s.remove_prefix(1);
  std::size_t dash1 = s.find('-');
  if (dash1 == std::string_view::npos || s.size() < dash1 + 22) return std::nullopt;
  auto day = to_number<unsigned>(s.substr(0, dash1));
  std::string_view mon = s.substr(dash1 + 1, 3);
  auto year = to_number<int>(s.substr(dash1 + 5, 4));
  std::string_view t = s.substr(dash1 + 10);
  if (s[dash1 + 4] != '-' || s[dash1 + 9] != ' ' || t[2] != ':' || t[5] != ':' || t[8] != ' ')
    return std::nullopt;
  auto hh = to_number<int>(t.substr(0, 2));
  auto mm = to_number<int>(t.substr(3, 2));
  auto ss = to_number<int>(t.substr(6, 2));
  char sign = t[9];
  auto zone = to_number<int>(t.substr(10, 4));
  auto m = std::find_if(kMonths.begin(), kMonths.end(),
                        [&](std::string_view x) { return iequals(x, mon); });
  if (!day || !year || !hh || !mm || !ss || !zone || m == kMonths.end() ||
      (sign != '+' && sign != '-') || *day < 1 || *day > 31 || *hh > 23 || *mm > 59 || *ss > 60)
    return std::nullopt;
  unsigned month = static_cast<unsigned>(m - kMonths.begin()) + 1;
  std::int64_t offset = (*zone / 100) * 3600 + (*zone % 100) * 60;
  if (sign == '-') offset = -offset;
  return days_from_civil(*year, month, *day) * 86400 + *hh * 3600 + *mm * 60 + *ss - offset;
}

std::string imap_search_date(std::int64_t t) {
  std::int64_t z = (t >= 0 ? t : t - 86399) / 86400 + 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2);
  return std::to_string(d) + "-" + std::string(kMonths[m - 1]) + "-" + std::to_string(y);
}

Result<std::string> imap_mailbox_arg(std::string_view name, bool utf8) {
  static constexpr char kB64[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";
  auto bad = [&](const char* why) {
    return fail(Code::MailboxFolderName, std::string("folder name ") + why, "use a folder name in UTF-8 without control characters");
  };
  if (name.empty()) return bad("is empty");
  std::string encoded;
  std::vector<std::uint16_t> run;  // UTF-16 units of the current non-ASCII run
  auto flush = [&] {
    if (run.empty()) return;
    encoded += '&';
    std::uint32_t bits = 0;
    int nbits = 0;
    for (std::uint16_t u : run) {
      bits = (bits << 16) | u;
      nbits += 16;
      while (nbits >= 6) {
        nbits -= 6;
        encoded += kB64[(bits >> nbits) & 0x3f];
      }
    }
    if (nbits > 0) encoded += kB64[(bits << (6 - nbits)) & 0x3f];
    encoded += '-';
    run.clear();
  };
  for (std::size_t i = 0; i < name.size();) {
    auto c = static_cast<unsigned char>(name[i]);
    if (c < 0x80) {
      if (c < 0x20 || c == 0x7f) return bad("contains a control character");
      flush();
      encoded += c == '&' ? std::string("&-") : std::string(1, static_cast<char>(c));
      ++i;
      continue;
    }
    int len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 0;
    if (len == 0 || i + len > name.size() || c >= 0xf8) return bad("is not valid UTF-8");
    std::uint32_t cp = c & (0x3f >> (len - 1));
    for (int k = 1; k < len; ++k) {
      auto cc = static_cast<unsigned char>(name[i + k]);
      if ((cc & 0xc0) != 0x80) return bad("is not valid UTF-8");
      cp = (cp << 6) | (cc & 0x3f);
    }
    if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return bad("is not valid UTF-8");
    if (cp >= 0x10000) {
      cp -= 0x10000;
      run.push_back(static_cast<std::uint16_t>(0xd800 + (cp >> 10)));
      run.push_back(static_cast<std::uint16_t>(0xdc00 + (cp & 0x3ff)));
    } else {
      run.push_back(static_cast<std::uint16_t>(cp));
    }
    i += len;
  }
  flush();
  if (utf8) encoded = name;  // checked above: valid UTF-8 without controls
  std::string quoted = "\"";
  for (char c : encoded) {
    if (c == '"' || c == '\\') quoted += '\\';
    quoted += c;
  }
  return quoted + '"';
}

std::string imap_mailbox_name(std::string_view encoded) {
  auto sextet = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == ',') return 63;
    return -1;
  };
  auto put = [](std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xc0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xe0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
      out += static_cast<char>(0x80 | (cp & 0x3f));
    } else {
      out += static_cast<char>(0xf0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
      out += static_cast<char>(0x80 | (cp & 0x3f));
    }
  };
  std::string out;
  for (std::size_t i = 0; i < encoded.size(); ++i) {
    std::size_t end = encoded[i] == '&' ? encoded.find('-', i + 1) : std::string_view::npos;
    if (end == std::string_view::npos) {
      out += encoded[i];
      continue;
    }
    if (end == i + 1) {  // "&-" is "&"
      out += '&';
      i = end;
      continue;
    }
    std::uint32_t bits = 0, high = 0;
    int nbits = 0;
    bool ok = true;
    std::string run;
    for (std::size_t k = i + 1; k < end && ok; ++k) {
      int v = sextet(encoded[k]);
      ok = v >= 0;
      bits = (bits << 6) | static_cast<std::uint32_t>(v < 0 ? 0 : v);
      nbits += 6;
      if (nbits < 16) continue;
      nbits -= 16;
      std::uint32_t unit = (bits >> nbits) & 0xffff;
      if (unit >= 0xd800 && unit < 0xdc00) {
        high = unit;
      } else if (unit >= 0xdc00 && unit < 0xe000 && high) {
        put(run, 0x10000 + ((high - 0xd800) << 10) + (unit - 0xdc00));
        high = 0;
      } else {
        put(run, unit);
        high = 0;
      }
    }
    if (!ok) {  // not modified UTF-7 after all: show it as it came
      out += encoded.substr(i, end - i + 1);
    } else {
      out += run;
    }
    i = end;
  }
  return out;
}

std::string uid_set(std::vector<std::uint32_t> uids) {
  std::sort(uids.begin(), uids.end());
  uids.erase(std::unique(uids.begin(), uids.end()), uids.end());
  std::string out;
  for (std::size_t i = 0; i < uids.size();) {
    std::size_t j = i;
    while (j + 1 < uids.size() && uids[j + 1] == uids[j] + 1) ++j;
    if (!out.empty()) out += ',';
    out += std::to_string(uids[i]);
    if (j > i) out += ':' + std::to_string(uids[j]);
    i = j + 1;
  }
  return out;
}

}  // namespace crmr
