// Numbers as every human-facing output shows them (summary, progress line,
// text and HTML reports, quarantine list): one format everywhere.
#pragma once

#include <cstdint>
#include <string>

namespace crmr {

// "12,345" for 12345.
std::string thousands(std::uint64_t n);

// A rate per second, rounded to a whole number: "11,143" (negative, NaN: "0").
std::string per_second(double rate);

// Bytes as megabytes with one decimal: "45.6 MB" (1 MB = 10^6 bytes).
std::string megabytes(std::uint64_t bytes);

}  // namespace crmr
