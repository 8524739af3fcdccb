#include "cli/dates.h"

#include <charconv>
#include <chrono>

namespace crmr {
namespace {

bool take_int(std::string_view& s, std::size_t digits, int& out) {
  if (s.size() < digits) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + digits, out);
  if (ec != std::errc() || p != s.data() + digits) return false;
  s.remove_prefix(digits);
  return true;
}

bool take_char(std::string_view& s, char c) {
  if (s.empty() || s.front() != c) return false;
  s.remove_prefix(1);
  return true;
}

}  // namespace

std::optional<std::int64_t> parse_cli_date(std::string_view s) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  if (!take_int(s, 4, y) || !take_char(s, '-') || !take_int(s, 2, mo) || !take_char(s, '-') ||
      !take_int(s, 2, d))
    return std::nullopt;
  if (!s.empty()) {
    if (!take_char(s, 'T') && !take_char(s, ' ')) return std::nullopt;
    if (!take_int(s, 2, h) || !take_char(s, ':') || !take_int(s, 2, mi)) return std::nullopt;
    if (take_char(s, ':') && !take_int(s, 2, sec)) return std::nullopt;
    take_char(s, 'Z');
    if (!s.empty() || h > 23 || mi > 59 || sec > 60) return std::nullopt;
  }
  using namespace std::chrono;
  year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return std::nullopt;
  auto t = sys_days{ymd} + hours{h} + minutes{mi} + seconds{sec};
  return duration_cast<seconds>(t.time_since_epoch()).count();
}

}  // namespace crmr
