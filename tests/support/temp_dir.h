// A fresh, empty temporary folder per test, removed with everything in it
// when the object goes out of scope. The one TempDir of the test suite.
#pragma once

#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <string_view>
#include <system_error>

namespace crmr::test {

class TempDir {
 public:
  // `label` only makes the folder's name easier to recognise in the temp folder.
  explicit TempDir(std::string_view label = "test") {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() /
            ("crmr-" + std::string(label) + "-" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // The path of `name` inside the folder (it need not exist).
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  // Writes `content` to `name` (bytes as they are) and returns its path.
  std::string write(const std::string& name, const std::string& content) const {
    std::ofstream(file(name), std::ios::binary) << content;
    return file(name);
  }

 private:
  std::filesystem::path path_;
};

}  // namespace crmr::test
