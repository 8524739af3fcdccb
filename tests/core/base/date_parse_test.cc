// Date header parsing (core/base/date_parse.h).
#include "core/base/date_parse.h"

#include <gtest/gtest.h>

namespace crmr {
namespace {

struct DateCase {
  const char* raw;
  std::int64_t want;
};

TEST(ParseRfc5322Date, ReadsModernAndObsoleteForms) {
  const DateCase cases[] = {
      {"Tue, 1 Jul 2003 10:52:37 +0200", 1057049557},
      {"1 Jul 2003 10:52:37 +0200", 1057049557},         // no weekday
      {"Tue, 01 Jul 2003 08:52:37 GMT", 1057049557},
      {"Tue, 1 Jul 2003 08:52:37 UT", 1057049557},
      {"Tue, 1 Jul 2003 04:52:37 EDT", 1057049557},
      {"Tue, 1 Jul 2003 03:52:37 EST", 1057049557},
      {"Tue, 1 Jul 2003 01:52:37 PDT", 1057049557},
      {"Tue, 1 Jul 2003 08:52:37 Z", 1057049557},
      {"Tue, 1 Jul 2003 08:52:37 A", 1057049557},        // military: treated as +0000
      {"Tue, 1 Jul 03 10:52:37 +0200", 1057049557},      // two-digit year
      {"Tue, 1 Jul 103 08:52:37 -0000", 1057049557},     // three-digit year
      {"Tue,  1 Jul 2003 10:52:37 +0200 (CEST)", 1057049557},
      {"Tue, 1 July 2003 10:52 +0200", 1057049520},      // full month, no seconds
      {"Tue Jul  1 08:52:37 2003", 1057049557},          // asctime
      {"2003-07-01 08:52:37", 1057049557},
      {"2003-07-01T10:52:37+02:00", 1057049557},
      {"Tue, 1 Jul 2003 08:52:37", 1057049557},          // no zone
      {"Thu, 01 Jan 1970 00:00:00 +0000", 0},
      {"Fri, 3 Nov 2017 12:00:00 -0800", 1509739200},
  };
  for (const auto& c : cases) {
    auto got = parse_rfc5322_date(c.raw);
    ASSERT_TRUE(got.has_value()) << c.raw;
    EXPECT_EQ(*got, c.want) << c.raw;
  }
}

TEST(ParseRfc5322Date, RejectsMalformedDates) {
  const char* cases[] = {"",
                         "Malformed Date.",
                         "<HR>",
                         "Pn, 29 paX 2007 21:13:00 +0100",
                         "Thu Jan 01 00:00:10 +0000",  // no year
                         "31 Feb 2003 10:00:00 +0000",
                         "1 Jul 2003 25:61:00 +0000"};
  for (const char* c : cases) EXPECT_FALSE(parse_rfc5322_date(c).has_value()) << c;
}

}  // namespace
}  // namespace crmr
