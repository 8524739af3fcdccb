// cli/platform.h on the platform the tests run on (POSIX, or Windows under
// Wine): the run lock, the first line of a command, environment variables,
// default paths.
#include "cli/platform.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/support/temp_dir.h"
#include "tests/support/result_matchers.h"

namespace crmr::platform {
namespace {

TEST(Platform, TheRunLockExcludesASecondHolderAndNamesTheFirst) {
  test::TempDir dir("platform");
  const std::string path = dir.file("state.db.lock");
  LockAttempt first = try_lock_file(path);
  ASSERT_EQ(first.kind, LockAttempt::Acquired) << first.error;
  EXPECT_TRUE(first.lock.held());
  LockAttempt second = try_lock_file(path);
  EXPECT_EQ(second.kind, LockAttempt::Busy);
  EXPECT_GT(second.holder_pid, 0);
  EXPECT_FALSE(second.lock.held());
}

TEST(Platform, TheRunLockIsFreeAgainOnceItsHolderIsGone) {
  test::TempDir dir("platform");
  const std::string path = dir.file("state.db.lock");
  {
    LockAttempt first = try_lock_file(path);
    ASSERT_EQ(first.kind, LockAttempt::Acquired) << first.error;
    FileLock moved = std::move(first.lock);
    EXPECT_TRUE(moved.held());
    EXPECT_EQ(try_lock_file(path).kind, LockAttempt::Busy);
  }
  EXPECT_EQ(try_lock_file(path).kind, LockAttempt::Acquired);
}

TEST(Platform, ALockInAFolderThatDoesNotExistFailsWithTheReason) {
  test::TempDir dir("platform");
  LockAttempt a = try_lock_file(dir.file("missing/state.db.lock"));
  EXPECT_EQ(a.kind, LockAttempt::Failed);
  EXPECT_FALSE(a.error.empty());
}

TEST(Platform, CommandFirstLineIsTheFirstLineWithoutItsEnd) {
  // `echo` is a command of both sh and cmd.exe.
  auto line = command_first_line("echo token-123");
  ASSERT_TRUE(line) << line.error().message;
  EXPECT_EQ(*line, "token-123");
}

TEST(Platform, ACommandThatFailsIsAnErrorWithoutItsOutput) {
  auto line = command_first_line("exit 3");
  ASSERT_FALSE(line);
  EXPECT_ERROR_CODE(line, Code::CommandFailed);
}

TEST(Platform, EnvironmentVariablesAndDefaultPaths) {
  EXPECT_EQ(getenv_str("CRMR_SURELY_NOT_SET_ANYWHERE"), "");
  EXPECT_FALSE(getenv_str("PATH").empty());
  EXPECT_TRUE(default_db_path().ends_with("state.db"));
  EXPECT_TRUE(default_config_path().ends_with("crm-router.toml"));
}

}  // namespace
}  // namespace crmr::platform
