#include "core/base/crash_point.h"

#include <atomic>
#include <charconv>
#include <cstdlib>
#include <string>

namespace crmr {
namespace {

// The parsed CRMR_CRASH_AT; `at` 0 means crash injection is off.
struct CrashPlan {
  std::string name;  // empty: count every point
  unsigned long at = 0;
};

CrashPlan read_plan() {
  CrashPlan p;
  const char* v = std::getenv("CRMR_CRASH_AT");
  if (!v || !*v) return p;
  std::string s(v);
  auto colon = s.rfind(':');
  std::string count = colon == std::string::npos ? s : s.substr(colon + 1);
  if (colon != std::string::npos) p.name = s.substr(0, colon);
  unsigned long n = 0;
  auto [end, ec] = std::from_chars(count.data(), count.data() + count.size(), n);
  if (ec != std::errc{} || end != count.data() + count.size()) return CrashPlan{};
  p.at = n;
  return p;
}

}  // namespace

void crash_point(const char* name) {
  static const CrashPlan plan = read_plan();
  if (plan.at == 0) return;
  if (!plan.name.empty() && plan.name != name) return;
  static std::atomic<unsigned long> calls{0};
  if (calls.fetch_add(1) + 1 != plan.at) return;
  std::_Exit(137);
}

}  // namespace crmr
