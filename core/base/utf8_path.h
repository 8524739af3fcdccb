// File names are UTF-8 everywhere in crm-router (command line, configuration,
// report). std::filesystem::path built from a std::string takes the platform's
// narrow encoding instead: UTF-8 on Linux, but on Windows the C library's
// locale, so "März.mbox" would not be found there. These two convert
// explicitly, the same way on every platform.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace crmr {

// The path named by the UTF-8 text `s`.
inline std::filesystem::path utf8_path(std::string_view s) {
  return std::filesystem::path(
      std::u8string_view(reinterpret_cast<const char8_t*>(s.data()), s.size()));
}

// `p` as UTF-8 text (for messages, reports and the database).
inline std::string utf8_string(const std::filesystem::path& p) {
  const std::u8string u = p.u8string();
  return std::string(u.begin(), u.end());
}

// `p` with "/" separators as UTF-8 text (names relative to a folder).
inline std::string utf8_generic_string(const std::filesystem::path& p) {
  const std::u8string u = p.generic_u8string();
  return std::string(u.begin(), u.end());
}

}  // namespace crmr
