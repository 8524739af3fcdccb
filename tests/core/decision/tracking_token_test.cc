// Specification of find_tracking_token (crm-router(1) ROUTING;
// the token layout is Dataverse's).
#include "core/decision/tracking_token.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace crmr {
namespace {

OrgSettings defaults() { return OrgSettings{}; }

OrgSettings with_prefixes(std::vector<std::string> prefixes) {
  OrgSettings org;
  org.tracking_prefixes = std::move(prefixes);
  return org;
}

std::string found(std::string_view subject, const OrgSettings& org = defaults()) {
  auto token = find_tracking_token(subject, org);
  return token ? token->normalized() : "";
}

struct Case {
  const char* name;
  const char* subject;
  const char* expected;  // normalised token, "" for none
};

TEST(TrackingToken, FindsTokensUnderTheDefaultLayout) {
  const std::vector<Case> cases = {
      {"at the end", "Quote 1234 CRM:0001005", "CRM:0001005"},
      {"alone", "CRM:0001001", "CRM:0001001"},
      {"reply prefixes", "RE: FW: AW: WG: SV: Quote CRM:0001005", "CRM:0001005"},
      {"space after prefix", "Re: Quote CRM: 0001005", "CRM:0001005"},
      {"mid-subject", "Quote CRM:0001005 (second try)", "CRM:0001005"},
      {"in brackets", "Quote [CRM:0001005]", "CRM:0001005"},
      {"lower-case prefix", "re: quote crm:0001005", "CRM:0001005"},
      {"mixed-case prefix", "Quote Crm:0001005", "CRM:0001005"},
      {"older 8-digit layout", "Re: Order CRM: 00010001", "CRM:00010001"},
      {"designator not zero", "Quote CRM:1001005", "CRM:1001005"},
      {"last of several", "Re: CRM:0001001 Fw: CRM:0001002", "CRM:0001002"},
      {"followed by text", "CRM:0001005x", "CRM:0001005"},
      {"utf-8 around", "Angebot für Müller CRM:0001005 ✓", "CRM:0001005"},
  };
  for (const auto& c : cases) EXPECT_EQ(found(c.subject), c.expected) << c.name;
}

TEST(TrackingToken, RejectsWhatIsNotAToken) {
  const std::vector<Case> cases = {
      {"no token", "Quote 1234", ""},
      {"empty subject", "", ""},
      {"prefix without digits", "About CRM: our new system", ""},
      {"too few digits", "Quote CRM:000100", ""},
      {"followed by another digit", "Quote CRM:000100512345", ""},
      {"two spaces after prefix", "Quote CRM:  0001005", ""},
      {"glued to a word", "Quote XCRM:0001005", ""},
      {"digits before prefix", "Quote 12CRM:0001005", ""},
  };
  for (const auto& c : cases) EXPECT_EQ(found(c.subject), c.expected) << c.name;
}

TEST(TrackingToken, IgnoresForeignPrefix) {
  EXPECT_EQ(found("Re: Quote ACME:0001001"), "");
  EXPECT_EQ(found("Re: Quote ACME:0001001 CRM:0001002"), "CRM:0001002");
  EXPECT_EQ(found("Re: Quote CRM:0001002 ACME:0001001"), "CRM:0001002");
}

TEST(TrackingToken, MatchesEveryPrefixInTheHistory) {
  auto org = with_prefixes({"ACME:", "CRM:"});
  EXPECT_EQ(found("Re: new ACME:0001001", org), "ACME:0001001");
  EXPECT_EQ(found("Re: old CRM:0001001", org), "CRM:0001001");
  EXPECT_EQ(found("Re: foreign XYZ:0001001", org), "");
  auto token = find_tracking_token("Re: old crm:0001001", org);
  ASSERT_TRUE(token);
  EXPECT_EQ(token->prefix, "CRM:");  // as configured, not as written
  EXPECT_EQ(token->digits, "0001001");
}

TEST(TrackingToken, SplitsASemicolonSeparatedHistory) {
  auto org = with_prefixes({"ACME:;CRM: ; OLD-"});
  EXPECT_EQ(found("x ACME:0001001", org), "ACME:0001001");
  EXPECT_EQ(found("x CRM:0001001", org), "CRM:0001001");
  EXPECT_EQ(found("x OLD-0001001", org), "OLD-0001001");
}

TEST(TrackingToken, PrefersTheLastTokenWhateverItsPrefix) {
  auto org = with_prefixes({"ACME:", "CRM:"});
  EXPECT_EQ(found("CRM:0001001 then ACME:0001002", org), "ACME:0001002");
  EXPECT_EQ(found("ACME:0001002 then CRM:0001001", org), "CRM:0001001");
}

TEST(TrackingToken, FollowsACustomDigitLayout) {
  OrgSettings org;
  org.token_id_digits = 4;
  org.token_id_base = 1000;
  // 1 designator + 4 user digits + 3 counter digits = 8; older layout 9.
  EXPECT_EQ(found("Re: CRM:01001001", org), "CRM:01001001");
  EXPECT_EQ(found("Re: CRM:010010001", org), "CRM:010010001");
  EXPECT_EQ(found("Re: CRM:0001001", org), "");     // 7 digits: another layout
  EXPECT_EQ(found("Re: CRM:0100100123", org), "");  // 10 digits

  OrgSettings wide_counter;
  wide_counter.max_tracking_number = 9999;  // counter of 4 digits: 1 + 3 + 4 = 8
  EXPECT_EQ(found("Re: CRM:00010001", wide_counter), "CRM:00010001");
  EXPECT_EQ(found("Re: CRM:000100001", wide_counter), "CRM:000100001");
  EXPECT_EQ(found("Re: CRM:0001001", wide_counter), "");
}

TEST(TrackingToken, AcceptsACustomPrefix) {
  auto org = with_prefixes({"Case#"});
  EXPECT_EQ(found("Re: printer Case#0001001", org), "CASE#0001001");
  EXPECT_EQ(found("Re: printer CRM:0001001", org), "");
}

TEST(TrackingToken, NoPrefixesFindsNothing) {
  auto org = with_prefixes({});
  EXPECT_FALSE(find_tracking_token("CRM:0001001", org));
}

TEST(TrackingToken, NormalizedDropsTheSpaceAndUpperCases) {
  TrackingToken t{"crm:", "0001001"};
  EXPECT_EQ(t.normalized(), "CRM:0001001");
}

}  // namespace
}  // namespace crmr
