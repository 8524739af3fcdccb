// Replays every saved fuzz input through the same entry points as the
// libFuzzer targets (fuzz_targets.h), in the normal build: the crash, hang and
// leak inputs kept under tests/fuzz/regressions/<target>/ (each one fixed) and
// the seeds under tests/fuzz/seeds/<target>/. A regression shows up as a crash
// of this test, or as a sanitizer report under scripts/test-sanitize.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "fuzz_targets.h"

namespace fs = std::filesystem;

namespace crmr::fuzz {
namespace {

const fs::path kFuzzDir = fs::path(CRMR_SOURCE_DIR) / "tests" / "fuzz";

std::string read_all(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<fs::path> inputs_of(const fs::path& dir) {
  std::vector<fs::path> out;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return out;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_regular_file()) out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

class FuzzInputs : public ::testing::TestWithParam<Target> {};

TEST_P(FuzzInputs, RegressionInputsRunCleanly) {
  const Target& t = GetParam();
  for (const auto& p : inputs_of(kFuzzDir / "regressions" / t.name)) {
    SCOPED_TRACE(p.string());
    t.run(read_all(p));
  }
}

TEST_P(FuzzInputs, SeedsRunCleanly) {
  const Target& t = GetParam();
  const auto seeds = inputs_of(kFuzzDir / "seeds" / t.name);
  EXPECT_FALSE(seeds.empty()) << "no seeds for fuzz target " << t.name;
  for (const auto& p : seeds) {
    SCOPED_TRACE(p.string());
    t.run(read_all(p));
  }
}

TEST_P(FuzzInputs, EmptyAndTinyInputsRunCleanly) {
  const Target& t = GetParam();
  const std::string_view tiny[] = {"", "\n", "\r\n", std::string_view("\0", 1), "\xff\xfe",
                                   "From \n"};
  for (std::string_view s : tiny) t.run(s);
}

INSTANTIATE_TEST_SUITE_P(AllTargets, FuzzInputs, ::testing::ValuesIn(targets()),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace crmr::fuzz
