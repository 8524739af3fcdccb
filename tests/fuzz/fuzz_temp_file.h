// A temporary file for the fuzz entries whose parser reads a path: one per
// process (named after the pid), overwritten by each input, removed at exit.
#pragma once

#include <string>
#include <string_view>

namespace crmr::fuzz {

// Writes `data` to this process's temporary file with `suffix` and returns its path.
const std::string& write_temp_file(std::string_view data, std::string_view suffix);

}  // namespace crmr::fuzz
