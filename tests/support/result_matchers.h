// gtest assertions for Result<T> and Status: on failure they print the
// expression and the error's description (and code), so no test writes
// `<< r.error().describe()` by hand.
//   ASSERT_OK(store);                       EXPECT_OK(st);
//   EXPECT_ERROR_CODE(r, Code::StoreNotFound);
#pragma once

#include <gtest/gtest.h>

#include <ostream>

#include "core/result.h"

namespace crmr {

// gtest prints an error code by its stable string (EXPECT_EQ(e.code, ...)).
inline void PrintTo(Code code, std::ostream* os) { *os << code_name(code); }

namespace test {

template <class R>
::testing::AssertionResult result_is_ok(const char* text, const R& r) {
  if (r) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << text << " failed: " << r.error().describe() << " [" << r.error().code_name() << "]";
}

template <class R>
::testing::AssertionResult result_has_code(const char* text, const char*, const R& r, Code code) {
  if (r) return ::testing::AssertionFailure() << text << " succeeded; expected error " << code_name(code);
  if (r.error().code == code) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << text << " failed with " << r.error().code_name()
                                       << " (expected " << code_name(code) << "): " << r.error().describe();
}

}  // namespace test
}  // namespace crmr

#define ASSERT_OK(expr) ASSERT_PRED_FORMAT1(::crmr::test::result_is_ok, expr)
#define EXPECT_OK(expr) EXPECT_PRED_FORMAT1(::crmr::test::result_is_ok, expr)
#define EXPECT_ERROR_CODE(expr, code) \
  EXPECT_PRED_FORMAT2(::crmr::test::result_has_code, expr, ::crmr::Code(code))
#define ASSERT_ERROR_CODE(expr, code) \
  ASSERT_PRED_FORMAT2(::crmr::test::result_has_code, expr, ::crmr::Code(code))
