// ASCII helpers shared by every layer: the one trim and the one lower-casing.
// Locale-independent on purpose: mail headers, URLs and config keys are ASCII
// protocol text, and std::tolower/std::isspace follow the process locale.
#pragma once

#include <string>
#include <string_view>

namespace crmr {

// `s` without leading and trailing blanks: space, tab, CR, LF.
std::string_view trim(std::string_view s);

// 'A'..'Z' mapped to 'a'..'z'; every other byte (UTF-8 included) unchanged.
char ascii_lower(char c);
std::string ascii_lower(std::string_view s);

}  // namespace crmr
