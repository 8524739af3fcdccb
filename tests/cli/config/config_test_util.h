// Config tests: load a configuration from text, and check a table of
// configurations that must be refused.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "cli/config/config.h"

namespace crmr::test {

// load_config() of `text` written to a file of its own in the temporary
// folder (removed afterwards): relative paths in it resolve there.
inline Result<Config> load_config_text(const std::string& text) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("crmr-config-" + std::to_string(std::random_device{}()) + ".toml");
  std::ofstream(path) << text;
  auto cfg = load_config(path.string(), true);
  std::filesystem::remove(path);
  return cfg;
}

struct BadConfig {
  std::string toml;
  const char* expect;  // in the error, with its line
};

// Each configuration is refused with an error holding `expect`, and no error
// repeats the secret "hunter2" the cases may carry.
inline void expect_refused(const std::vector<BadConfig>& cases) {
  for (const auto& c : cases) {
    auto cfg = load_config_text(c.toml);
    ASSERT_FALSE(cfg) << c.toml;
    EXPECT_NE(cfg.error().message.find(c.expect), std::string::npos)
        << cfg.error().message << "\n--- expected: " << c.expect;
    EXPECT_EQ(cfg.error().message.find("hunter2"), std::string::npos);
  }
}

}  // namespace crmr::test
