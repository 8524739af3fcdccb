// The platform's charset converter behind to_utf8 (charset.h): iconv on
// POSIX (charset_iconv.cc), Windows code pages elsewhere (charset_windows.cc).
// CMake picks the file. Internal to core/mime.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace crmr {

struct Converted {
  std::string text;    // UTF-8
  bool clean = true;   // false when a byte did not fit and became U+FFFD
};

// Convert `bytes` from the charset `name` (an iconv name such as "CP949",
// "ISO-8859-2", "koi8-r"; case does not matter) to UTF-8. nullopt when the
// platform does not know the charset.
std::optional<Converted> convert_to_utf8(const std::string& name, std::string_view bytes);

}  // namespace crmr
