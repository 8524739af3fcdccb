// The error code table: every code has its own stable string, the strings are
// the ones reports, logs and users read, and fail() takes the code's default
// scope and retry class unless the call gives its own.
#include "core/error_code.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "core/result.h"
#include "tests/support/result_matchers.h"

namespace crmr {
namespace {

TEST(ErrorCode, EachCodeHasItsOwnDottedName) {
  std::set<std::string_view> seen;
  for (const CodeInfo& info : kCodeTable) {
    EXPECT_TRUE(seen.insert(info.name).second) << info.name;
    const auto dot = info.name.find('.');
    EXPECT_NE(dot, std::string_view::npos) << info.name;
    EXPECT_GT(dot, 0u) << info.name;
    EXPECT_LT(dot + 1, info.name.size()) << info.name;
  }
}

TEST(ErrorCode, KeepsTheStableStrings) {
  EXPECT_EQ(code_name(Code::StoreBusy), "store.busy");
  EXPECT_EQ(code_name(Code::StoreReadOnlyFile), "store.read_only_file");
  EXPECT_EQ(code_name(Code::ParseNotAMessage), "parse.not_a_message");
  EXPECT_EQ(code_name(Code::CrmBadResponse), "crm.bad_response");
  EXPECT_EQ(code_name(Code::MailboxLoginDelay), "mailbox.login_delay");
  EXPECT_EQ(code_name(Code::TnefRtfType), "tnef.rtf_type");
}

TEST(ErrorCode, FailTakesTheTableDefaults) {
  Status st = fail(Code::MailboxProtocol, "garbled");
  ASSERT_FALSE(st);
  EXPECT_ERROR_CODE(st, Code::MailboxProtocol);
  EXPECT_EQ(st.error().code_name(), "mailbox.protocol");
  EXPECT_EQ(st.error().scope, Scope::Mailbox);
  EXPECT_EQ(st.error().retry, Retry::Later);
  EXPECT_EQ(st.error().hint, "");

  Result<int> hinted = fail(Code::ConfigInvalid, "bad key", "see crm-router.conf(5)");
  ASSERT_FALSE(hinted);
  EXPECT_EQ(hinted.error().scope, Scope::Run);
  EXPECT_EQ(hinted.error().retry, Retry::Never);
  EXPECT_EQ(hinted.error().describe(), "bad key (see crm-router.conf(5))");
}

TEST(ErrorCode, FailKeepsAnExplicitScopeAndRetry) {
  Status st = fail(Code::CrmBadResponse, "no value list", Scope::Run, Retry::Later, "retry");
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().scope, Scope::Run);
  EXPECT_EQ(st.error().retry, Retry::Later);
  EXPECT_EQ(st.error().hint, "retry");
}

}  // namespace
}  // namespace crmr
