#include "core/base/date_parse.h"

#include <cctype>
#include <string>
#include <vector>

#include "core/base/ascii.h"

namespace crmr {
namespace {

int month_number(std::string_view w) {
  static const char* names[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                "jul", "aug", "sep", "oct", "nov", "dec"};
  if (w.size() < 3) return 0;
  char p[3] = {ascii_lower(w[0]), ascii_lower(w[1]), ascii_lower(w[2])};
  for (int i = 0; i < 12; ++i)
    if (p[0] == names[i][0] && p[1] == names[i][1] && p[2] == names[i][2]) return i + 1;
  return 0;
}

// Offset in minutes of a named zone; false if `w` is not a zone name.
bool zone_name(std::string_view w, int& minutes) {
  std::string z;
  for (char c : w) z.push_back(char(std::toupper(static_cast<unsigned char>(c))));
  struct Zone {
    const char* name;
    int hours;
  };
  static const Zone zones[] = {{"UT", 0},   {"UTC", 0},  {"GMT", 0},  {"Z", 0},
                               {"EST", -5}, {"EDT", -4}, {"CST", -6}, {"CDT", -5},
                               {"MST", -7}, {"MDT", -6}, {"PST", -8}, {"PDT", -7},
                               {"BST", 1},  {"CET", 1},  {"CEST", 2}, {"MET", 1},
                               {"MEST", 2}, {"EET", 2},  {"EEST", 3}, {"JST", 9},
                               {"WET", 0},  {"WEST", 1}, {"IST", 0},  {"KST", 9},
                               {"HKT", 8},  {"AEST", 10}, {"AEDT", 11}, {"NZST", 12}};
  for (const Zone& zn : zones)
    if (z == zn.name) {
      minutes = zn.hours * 60;
      return true;
    }
  if (z.size() == 1 && z[0] >= 'A' && z[0] <= 'Z' && z[0] != 'J') {
    minutes = 0;  // military zones: RFC 5322 says to treat them as -0000
    return true;
  }
  return false;
}

bool all_digits(std::string_view w) {
  if (w.empty()) return false;
  for (char c : w)
    if (c < '0' || c > '9') return false;
  return true;
}

int to_int(std::string_view w) {
  int v = 0;
  for (char c : w) {
    v = v * 10 + (c - '0');
    if (v > 100000) break;
  }
  return v;
}

// "10:52:37" or "10:52" (also with '.' separators); false if not a time.
bool parse_time(std::string_view w, int& h, int& m, int& s) {
  std::vector<std::string_view> parts;
  std::size_t b = 0;
  for (std::size_t i = 0; i <= w.size(); ++i)
    if (i == w.size() || w[i] == ':' || w[i] == '.') {
      parts.push_back(w.substr(b, i - b));
      b = i + 1;
    }
  if (parts.size() < 2 || parts.size() > 3) return false;
  for (auto p : parts)
    if (!all_digits(p) || p.size() > 2) return false;
  h = to_int(parts[0]);
  m = to_int(parts[1]);
  s = parts.size() == 3 ? to_int(parts[2]) : 0;
  return h <= 24 && m <= 59 && s <= 60;
}

}  // namespace

std::optional<std::int64_t> parse_rfc5322_date(std::string_view text) {
  // Tokenise: drop comments, split on space and commas; keep signs attached.
  std::vector<std::string> words;
  std::string cur;
  int comment = 0;
  for (char c : text) {
    if (c == '(') {
      ++comment;
      continue;
    }
    if (c == ')' && comment > 0) {
      --comment;
      continue;
    }
    if (comment > 0) continue;
    if (c == ' ' || c == '\t' || c == ',' || c == '\r' || c == '\n') {
      if (!cur.empty()) words.push_back(std::move(cur));
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  if (!cur.empty()) words.push_back(std::move(cur));
  if (words.size() > 32) return std::nullopt;

  int day = -1, month = 0, year = -1, hh = -1, mm = 0, ss = 0;
  int zone = 0;
  bool have_zone = false;
  std::vector<int> numbers;
  for (std::string& w : words) {
    // ISO "2003-07-01" and "2003-07-01T10:52:37Z".
    if (w.size() >= 10 && all_digits(w.substr(0, 4)) && w[4] == '-' && w[7] == '-' &&
        all_digits(w.substr(5, 2)) && all_digits(w.substr(8, 2))) {
      year = to_int(w.substr(0, 4));
      month = to_int(w.substr(5, 2));
      day = to_int(w.substr(8, 2));
      if (w.size() > 11 && (w[10] == 'T' || w[10] == 't')) {
        std::string rest = w.substr(11);
        std::size_t zpos = rest.find_first_of("Zz+-");
        std::string tz = zpos == std::string::npos ? "" : rest.substr(zpos);
        rest = rest.substr(0, zpos);
        if (!parse_time(rest, hh, mm, ss)) return std::nullopt;
        if (!tz.empty()) w = tz;
        else continue;
      } else {
        continue;
      }
    }
    int h, m, s;
    if (hh < 0 && w.find(':') != std::string::npos) {
      // A time may carry its zone glued on: "10:52:37+0200".
      std::size_t zpos = w.find_first_of("+-");
      std::string tz = zpos == std::string::npos ? "" : w.substr(zpos);
      if (!parse_time(std::string_view(w).substr(0, zpos), h, m, s)) return std::nullopt;
      hh = h, mm = m, ss = s;
      if (tz.empty()) continue;
      w = tz;
    }
    if ((w[0] == '+' || w[0] == '-') && w.size() == 6 && w[3] == ':') w.erase(3, 1);  // "+02:00"
    if ((w[0] == '+' || w[0] == '-') && w.size() >= 3 && all_digits(w.substr(1))) {
      std::string digits = w.substr(1);
      if (digits.size() <= 2) digits += "00";
      if (digits.size() == 3) digits = "0" + digits;
      int v = to_int(digits.substr(0, 4));
      int minutes = (v / 100) * 60 + v % 100;
      if (v / 100 > 23 || v % 100 > 59) minutes = 0;
      zone = w[0] == '-' ? -minutes : minutes;
      have_zone = true;
      continue;
    }
    if (all_digits(w)) {
      numbers.push_back(w.size() >= 3 ? -to_int(w) - 1 : to_int(w));  // negative: a long number
      continue;
    }
    if (int mo = month_number(w); mo != 0 && month == 0 && w.size() <= 9 &&
                                  std::isalpha(static_cast<unsigned char>(w[0]))) {
      month = mo;
      continue;
    }
    int zm;
    if (!have_zone && zone_name(w, zm)) {
      zone = zm;
      have_zone = true;
      continue;
    }
    // Anything else (weekday, "at", junk) is ignored.
  }
  // Numbers: the day is the first one of at most two digits; the year is a
  // long number, or else the next short one.
  for (int n : numbers) {
    if (n < 0) {
      if (year < 0) year = -n - 1;
    } else if (day < 0 && n >= 1 && n <= 31) {
      day = n;
    } else if (year < 0) {
      year = n;
    }
  }
  if (day < 1 || month < 1 || month > 12 || year < 0) return std::nullopt;
  if (year < 50) year += 2000;
  else if (year < 1000) year += 1900;
  if (year < 1900 || year > 9999) return std::nullopt;
  static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (day > mdays[month - 1]) return std::nullopt;
  if (hh < 0) hh = mm = ss = 0;
  std::int64_t t = days_from_civil(year, unsigned(month), unsigned(day)) * 86400 +
                   hh * 3600 + mm * 60 + ss;
  return t - static_cast<std::int64_t>(zone) * 60;
}

}  // namespace crmr
