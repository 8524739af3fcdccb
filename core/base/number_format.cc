#include "core/base/number_format.h"

#include <cmath>
#include <cstdio>

namespace crmr {

std::string thousands(std::uint64_t n) {
  const std::string digits = std::to_string(n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string per_second(double rate) {
  if (!(rate > 0) || !std::isfinite(rate)) return "0";
  return thousands(static_cast<std::uint64_t>(std::llround(rate)));
}

std::string megabytes(std::uint64_t bytes) {
  const std::uint64_t tenths = (bytes + 50'000) / 100'000;  // rounded to 0.1 MB
  return thousands(tenths / 10) + "." + std::to_string(tenths % 10) + " MB";
}

}  // namespace crmr
