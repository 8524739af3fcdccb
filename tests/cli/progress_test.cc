#include "cli/progress.h"

#include <gtest/gtest.h>

namespace crmr {
namespace {

TEST(Progress, BarPercentAndEtaWhenTheTotalIsKnown) {
  auto line = progress_line(0.5, 30, "1,000 messages");
  EXPECT_EQ(line, "[############............]  50%  1,000 messages  ETA 0:30");
}

TEST(Progress, CountsAndElapsedWhenTheTotalIsUnknown) {
  EXPECT_EQ(progress_line(std::nullopt, 3725, "7 messages"), "7 messages  1:02:05");
}

TEST(Progress, NoEtaBeforeAnythingIsDone) {
  EXPECT_NE(progress_line(0.0, 1, "0 messages").find("ETA --:--"), std::string::npos);
}

TEST(Progress, ThousandsSeparators) {
  EXPECT_EQ(thousands(0), "0");
  EXPECT_EQ(thousands(999), "999");
  EXPECT_EQ(thousands(1000), "1,000");
  EXPECT_EQ(thousands(1234567), "1,234,567");
}

}  // namespace
}  // namespace crmr
