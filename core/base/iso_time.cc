#include "core/base/iso_time.h"

#include <chrono>
#include <cstdio>

namespace crmr {

// Seconds outside years 0000..9999 cannot be written as "YYYY-..."; they come
// only from absurd Date headers, and yield "" (date unknown).
std::string iso_utc(std::int64_t unix_seconds) {
  using namespace std::chrono;
  constexpr std::int64_t kMin = -62167219200;  // 0000-01-01T00:00:00Z
  constexpr std::int64_t kMax = 253402300799;  // 9999-12-31T23:59:59Z
  if (unix_seconds < kMin || unix_seconds > kMax) return {};
  const sys_seconds t{seconds{unix_seconds}};
  const sys_days day = floor<days>(t);
  const year_month_day ymd{day};
  const hh_mm_ss hms{t - day};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
  return buf;
}

std::string iso_now() {
  using namespace std::chrono;
  return iso_utc(floor<seconds>(system_clock::now()).time_since_epoch().count());
}

}  // namespace crmr
