// The [run] section of the configuration file: how many mailboxes `run`
// reads at once, and how many connections it opens to one server.
#include <gtest/gtest.h>

#include "cli/config/config.h"
#include "tests/cli/config/config_test_util.h"

namespace crmr {
namespace {

TEST(RunConfig, DefaultsReadEightMailboxesAtOnceAndFourPerServer) {
  auto cfg = test::load_config_text("db = \"state.db\"\n");
  ASSERT_TRUE(cfg) << cfg.error().message;
  EXPECT_EQ(cfg->parallel_mailboxes, 8u);
  EXPECT_EQ(cfg->max_connections_per_server, 4u);
}

TEST(RunConfig, ReadsBothKeys) {
  auto cfg = test::load_config_text("[run]\nparallel_mailboxes = 1\nmax_connections_per_server = 2\n");
  ASSERT_TRUE(cfg) << cfg.error().message;
  EXPECT_EQ(cfg->parallel_mailboxes, 1u);
  EXPECT_EQ(cfg->max_connections_per_server, 2u);
}

TEST(RunConfig, RefusesZeroTooManyWrongTypesAndUnknownKeys) {
  test::expect_refused({
      {"[run]\nparallel_mailboxes = 0\n", ":2: run.parallel_mailboxes must be between 1 and 256"},
      {"[run]\nparallel_mailboxes = 1000\n", ":2: run.parallel_mailboxes must be between 1 and 256"},
      {"[run]\nparallel_mailboxes = \"8\"\n", ":2: run.parallel_mailboxes must be a whole number"},
      {"[run]\nmax_connections_per_server = 0\n",
       ":2: run.max_connections_per_server must be between 1 and 256"},
      {"[run]\nmax_connections_per_server = -1\n",
       ":2: run.max_connections_per_server must be a whole number"},
      {"[run]\nparallel = 4\n", ":2: unknown key run.parallel"},
      {"run = 4\n", ":1: [run] must be a table"},
  });
}

}  // namespace
}  // namespace crmr
