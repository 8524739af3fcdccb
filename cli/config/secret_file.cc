// The one reader of secret files; see secret_file.h.
#include "cli/config/secret_file.h"

#include <fstream>

#include "cli/platform.h"

namespace crmr {

std::expected<std::string, SecretFileProblem> read_secret_file(const std::string& path,
                                                              const std::string& setting,
                                                              std::vector<std::string>& warnings) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::unexpected(SecretFileProblem::Unreadable);
  std::string line;
  std::getline(in, line);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line.empty()) return std::unexpected(SecretFileProblem::Empty);
  if (platform::readable_by_others(path))
    warnings.push_back(setting + " " + path + " is readable by group or others (chmod 600 it)");
  return line;
}

}  // namespace crmr
