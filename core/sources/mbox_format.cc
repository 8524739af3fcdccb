#include "core/sources/mbox_format.h"

#include <array>
#include <chrono>
#include <vector>

namespace crmr {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::vector<std::string_view> tokens_after_from(std::string_view line) {
  std::vector<std::string_view> out;
  line = chomp(line).substr(5);
  std::size_t i = 0;
  while (i < line.size() && out.size() < 16) {
    while (i < line.size() && is_space(line[i])) ++i;
    std::size_t j = i;
    while (j < line.size() && !is_space(line[j])) ++j;
    if (j > i) out.push_back(line.substr(i, j - i));
    i = j;
  }
  return out;
}

// 1..12 for a month name (first three letters, any case), else 0.
int month_of(std::string_view t) {
  static constexpr std::array<std::string_view, 12> kNames = {
      "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};
  if (t.size() < 3 || t.size() > 9) return 0;
  char l[3];
  for (int k = 0; k < 3; ++k) l[k] = static_cast<char>(t[k] | 0x20);
  for (std::size_t m = 0; m < kNames.size(); ++m) {
    if (std::string_view(l, 3) == kNames[m]) return static_cast<int>(m) + 1;
  }
  return 0;
}

bool all_digits(std::string_view t) {
  if (t.empty()) return false;
  for (char c : t) {
    if (!is_digit(c)) return false;
  }
  return true;
}

int to_int(std::string_view t) {
  int v = 0;
  for (char c : t) v = v * 10 + (c - '0');
  return v;
}

// "h:mm", "hh:mm" or "hh:mm:ss" into seconds of the day; -1 when not a time.
int time_of(std::string_view t) {
  std::size_t c1 = t.find(':');
  if (c1 == std::string_view::npos || c1 == 0 || c1 > 2) return -1;
  std::string_view h = t.substr(0, c1), rest = t.substr(c1 + 1);
  std::string_view m = rest.substr(0, rest.find(':'));
  std::string_view s = m.size() < rest.size() ? rest.substr(m.size() + 1) : std::string_view{};
  if (!all_digits(h) || m.size() != 2 || !all_digits(m)) return -1;
  if (m.size() < rest.size() && (s.size() != 2 || !all_digits(s))) return -1;
  int hh = to_int(h), mm = to_int(m), ss = s.empty() ? 0 : to_int(s);
  if (hh > 23 || mm > 59 || ss > 60) return -1;
  return hh * 3600 + mm * 60 + ss;
}

struct Parsed {
  int month = 0, day = 0, secs = -1, year = 0, zone_secs = 0;
};

// Month, day, time, year (and zone) out of the tokens after the sender.
std::optional<Parsed> parse_date(const std::vector<std::string_view>& tok) {
  Parsed p;
  std::size_t time_at = 0;
  for (std::size_t i = 1; i < tok.size(); ++i) {
    if (!p.month && month_of(tok[i])) {
      p.month = month_of(tok[i]);
      if (i + 1 < tok.size() && all_digits(tok[i + 1]) && tok[i + 1].size() <= 2) {
        p.day = to_int(tok[i + 1]);  // asctime: "Nov  1"
      } else if (i > 1 && all_digits(tok[i - 1]) && tok[i - 1].size() <= 2) {
        p.day = to_int(tok[i - 1]);  // "1 Nov"
      }
    } else if (p.secs < 0 && time_of(tok[i]) >= 0) {
      p.secs = time_of(tok[i]);
      time_at = i;
    } else if (p.month && !p.year && tok[i].size() == 4 && all_digits(tok[i])) {
      p.year = to_int(tok[i]);
    } else if (p.secs >= 0 && tok[i].size() == 5 && (tok[i][0] == '+' || tok[i][0] == '-') &&
               all_digits(tok[i].substr(1))) {
      int v = to_int(tok[i].substr(1));
      p.zone_secs = (v / 100 * 3600 + v % 100 * 60) * (tok[i][0] == '-' ? -1 : 1);
    }
  }
  if (!p.month || p.secs < 0 || !p.year || time_at == 0) return std::nullopt;
  return p;
}

}  // namespace

const char* to_string(MboxFormat f) {
  switch (f) {
    case MboxFormat::Auto: return "auto";
    case MboxFormat::Mboxo: return "mboxo";
    case MboxFormat::Mboxrd: return "mboxrd";
    case MboxFormat::Mboxcl2: return "mboxcl2";
  }
  return "?";
}

Result<MboxFormat> parse_mbox_format(std::string_view name) {
  if (name.empty() || name == "auto") return MboxFormat::Auto;
  if (name == "mboxo") return MboxFormat::Mboxo;
  if (name == "mboxrd") return MboxFormat::Mboxrd;
  if (name == "mboxcl2") return MboxFormat::Mboxcl2;
  return fail(Code::SourceBadMboxFormat, "unknown mbox format \"" + std::string(name) + "\"",
              "use auto, mboxo, mboxrd or mboxcl2");
}

std::string_view chomp(std::string_view line) {
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

bool is_blank_line(std::string_view line) { return line == "\n" || line == "\r\n"; }

bool is_dated_from_line(std::string_view line) {
  if (!line.starts_with("From ")) return false;
  auto tok = tokens_after_from(line);
  if (tok.empty()) return false;
  if (tok[0] == "-") return true;
  return parse_date(tok).has_value();
}

bool is_bare_from_line(std::string_view line) {
  if (!line.starts_with("From ")) return false;
  return tokens_after_from(line).size() == 1;
}

bool looks_like_header(std::string_view line) {
  std::size_t i = 0;
  while (i < line.size() && line[i] > ' ' && line[i] < 127 && line[i] != ':') ++i;
  if (i == 0) return false;
  while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
  return i < line.size() && line[i] == ':';
}

std::string multipart_boundary(std::string_view value) {
  auto lower = [](std::string_view v) {
    std::string out(v);
    for (char& c : out) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
    return out;
  };
  std::string low = lower(value);
  std::size_t start = low.find_first_not_of(" \t\r\n");
  if (start == std::string::npos || low.compare(start, 10, "multipart/") != 0) return {};
  std::size_t at = low.find("boundary", start);
  while (at != std::string::npos) {
    std::size_t eq = low.find_first_not_of(" \t\r\n", at + 8);
    if (eq != std::string::npos && low[eq] == '=') {
      std::size_t v = low.find_first_not_of(" \t\r\n", eq + 1);
      if (v == std::string::npos) return {};
      if (value[v] == '"') {
        std::size_t close = value.find('"', v + 1);
        return std::string(value.substr(v + 1, close == value.npos ? value.npos : close - v - 1));
      }
      std::size_t stop = value.find_first_of("; \t\r\n", v);
      return std::string(value.substr(v, stop == value.npos ? value.npos : stop - v));
    }
    at = low.find("boundary", at + 8);
  }
  return {};
}

std::optional<std::int64_t> from_line_date(std::string_view line) {
  if (!line.starts_with("From ")) return std::nullopt;
  auto tok = tokens_after_from(line);
  auto p = parse_date(tok);
  if (!p || p->day < 1 || p->day > 31) return std::nullopt;
  using namespace std::chrono;
  year_month_day ymd{year{p->year}, month{static_cast<unsigned>(p->month)},
                     day{static_cast<unsigned>(p->day)}};
  if (!ymd.ok()) return std::nullopt;
  auto days = sys_days{ymd}.time_since_epoch().count();
  return static_cast<std::int64_t>(days) * 86400 + p->secs - p->zone_secs;
}

void append_unquoted(std::string& out, std::string_view line, Unquote mode) {
  if (mode != Unquote::None && !line.empty() && line[0] == '>') {
    std::size_t k = 1;
    while (k < line.size() && line[k] == '>') ++k;
    if (line.substr(k).starts_with("From ") && (mode == Unquote::MboxrdAll || k == 1)) {
      line.remove_prefix(1);
    }
  }
  out.append(line);
}

void append_unquoted_block(std::string& out, std::string_view block, Unquote mode) {
  if (mode == Unquote::None) {
    out.append(block);
    return;
  }
  // Copy runs between quoted lines in one go; only lines starting with '>'
  // are looked at.
  std::size_t run = 0, at = 0;
  while (at < block.size()) {
    if (block[at] == '>') {
      std::size_t nl = block.find('\n', at);
      std::size_t stop = nl == std::string_view::npos ? block.size() : nl + 1;
      out.append(block.substr(run, at - run));
      append_unquoted(out, block.substr(at, stop - at), mode);
      run = at = stop;
      continue;
    }
    std::size_t nl = block.find('\n', at);
    if (nl == std::string_view::npos) break;
    at = nl + 1;
  }
  out.append(block.substr(run));
}

}  // namespace crmr
