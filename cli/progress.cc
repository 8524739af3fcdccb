#include "cli/progress.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace crmr {

namespace {
constexpr double kEtaAfterSeconds = 2.0;
constexpr double kEtaAfterFraction = 0.01;

std::string clock_text(double seconds) {
  auto s = static_cast<long long>(std::max(0.0, seconds));
  char buf[32];
  if (s >= 100 * 3600) return ">99:00:00";
  if (s >= 3600) std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", s / 3600, s / 60 % 60, s % 60);
  else std::snprintf(buf, sizeof buf, "%lld:%02lld", s / 60, s % 60);
  return buf;
}
}  // namespace

std::string progress_line(std::optional<double> fraction, double elapsed_s,
                          const std::string& counts) {
  if (!fraction) return counts + "  " + clock_text(elapsed_s);
  double f = std::clamp(*fraction, 0.0, 1.0);
  constexpr int kWidth = 24;
  int filled = static_cast<int>(std::lround(f * kWidth));
  std::string bar = "[" + std::string(filled, '#') + std::string(kWidth - filled, '.') + "]";
  char pct[16];
  std::snprintf(pct, sizeof pct, "%3d%%", static_cast<int>(f * 100));
  std::string eta = (f >= kEtaAfterFraction && elapsed_s >= kEtaAfterSeconds)
                        ? clock_text(elapsed_s * (1 - f) / f)
                        : "--:--";
  return bar + " " + pct + "  " + counts + "  ETA " + eta;
}

}  // namespace crmr
