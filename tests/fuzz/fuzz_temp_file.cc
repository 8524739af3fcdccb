#include "fuzz_temp_file.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>

namespace crmr::fuzz {
namespace {

// Paths handed out so far (one per suffix); removed when the process ends.
struct TempFiles {
  std::map<std::string, std::string, std::less<>> paths;
  ~TempFiles() {
    for (const auto& [suffix, path] : paths) std::remove(path.c_str());
  }
};

}  // namespace

const std::string& write_temp_file(std::string_view data, std::string_view suffix) {
  static TempFiles files;
  auto it = files.paths.find(suffix);
  if (it == files.paths.end()) {
    auto path = std::filesystem::temp_directory_path() /
                ("crmr-fuzz-" + std::to_string(::getpid()) + std::string(suffix));
    it = files.paths.emplace(std::string(suffix), path.string()).first;
  }
  std::ofstream out(it->second, std::ios::binary | std::ios::trunc);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
  return it->second;
}

}  // namespace crmr::fuzz
