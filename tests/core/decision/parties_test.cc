// Specification of party resolution in decide().
#include <gtest/gtest.h>

#include "core/decision/decision.h"
#include "tests/core/decision/decision_fixture.h"

namespace crmr {
namespace {

using test::contains;
using test::find_step;
using test::mail;
using test::MemoryCache;

std::vector<Party> parties_of(const std::string& role, const Decision& d) {
  std::vector<Party> out;
  for (const auto& p : d.parties)
    if (p.role == role) out.push_back(p);
  return out;
}

MemoryCache with_queue() {
  MemoryCache c;
  c.queue("sales@contoso.example", "q-sales", 0);
  return c;
}

TEST(Parties, FromResolvesToTheFirstActiveMatchInEntityOrder) {
  struct Case {
    const char* name;
    std::vector<std::pair<const char*, bool>> records;  // entity, active (cache order)
    const char* expected;                                 // entity, "" unresolved
  };
  const std::vector<Case> cases = {
      {"user before contact", {{"lead", true}, {"contact", true}, {"systemuser", true}},
       "systemuser"},
      {"contact before account", {{"account", true}, {"contact", true}}, "contact"},
      {"account before lead", {{"lead", true}, {"account", true}}, "account"},
      {"lead before queue", {{"queue", true}, {"lead", true}}, "lead"},
      {"queue before others", {{"competitor", true}, {"queue", true}}, "queue"},
      {"another entity", {{"competitor", true}}, "competitor"},
      {"inactive user skipped", {{"systemuser", false}, {"contact", true}}, "contact"},
      {"all inactive", {{"systemuser", false}, {"contact", false}}, ""},
      {"unknown", {}, ""},
  };
  for (const auto& c : cases) {
    auto cache = with_queue();
    int n = 0;
    for (const auto& [entity, active] : c.records)
      cache.record("alice@customer.example", entity, entity + std::to_string(++n), "Alice",
                   active);
    auto d = decide(mail("Alice@Customer.example", {"sales@contoso.example"}), "k", cache,
                    Policy{});
    auto from = parties_of("from", d);
    ASSERT_EQ(from.size(), 1u) << c.name;
    EXPECT_EQ(from[0].entity, c.expected) << c.name;
    EXPECT_EQ(from[0].id.empty(), std::string(c.expected).empty()) << c.name;
    EXPECT_EQ(from[0].address, "Alice@Customer.example") << c.name;  // as written
  }
}

TEST(Parties, RecipientsListEveryActiveMatch) {
  auto cache = with_queue();
  cache.record("shared@customer.example", "contact", "c-1", "One");
  cache.record("shared@customer.example", "account", "a-1", "Firm");
  cache.record("shared@customer.example", "lead", "l-1", "Old lead", /*active=*/false);
  auto m = mail("x@else.example", {"sales@contoso.example", "SHARED@customer.example"});
  auto d = decide(m, "k", cache, Policy{});
  auto to = parties_of("to", d);
  ASSERT_EQ(to.size(), 3u);
  EXPECT_EQ(to[0].entity, "queue");
  EXPECT_EQ(to[1].entity, "contact");
  EXPECT_EQ(to[1].id, "c-1");
  EXPECT_EQ(to[2].entity, "account");
  EXPECT_EQ(to[2].address, "SHARED@customer.example");
  bool noted = false;
  for (const auto& s : d.steps)
    noted = noted || (s.rule == "parties.to" && contains(s.detail, "1 inactive record(s)"));
  EXPECT_TRUE(noted);
}

TEST(Parties, SeveralMatchesStayUnresolvedWhenTheOrganisationAsks) {
  auto cache = with_queue();
  cache.settings.unresolve_if_multiple_match = true;
  cache.record("shared@customer.example", "contact", "c-1");
  cache.record("shared@customer.example", "account", "a-1");
  cache.record("one@customer.example", "contact", "c-2");
  auto m = mail("shared@customer.example", {"sales@contoso.example"});
  m.cc = {test::addr("shared@customer.example", "Shared"),
          test::addr("one@customer.example")};
  auto d = decide(m, "k", cache, Policy{});
  auto cc = parties_of("cc", d);
  ASSERT_EQ(cc.size(), 2u);
  EXPECT_TRUE(cc[0].entity.empty());
  EXPECT_EQ(cc[0].address, "shared@customer.example");
  EXPECT_EQ(cc[0].name, "Shared");
  EXPECT_EQ(cc[1].id, "c-2");
  // From still resolves to exactly one record.
  EXPECT_EQ(parties_of("from", d)[0].id, "c-1");
  bool explained = false;
  for (const auto& s : d.steps)
    explained = explained || contains(s.detail, "unresolveemailaddressifmultiplematch");
  EXPECT_TRUE(explained);
}

TEST(Parties, UnknownAddressesAreUnresolvedParties) {
  auto cache = with_queue();
  auto m = mail("stranger@else.example", {"sales@contoso.example"});
  m.bcc = {test::addr("hidden@else.example", "Hidden")};
  auto d = decide(m, "k", cache, Policy{});
  auto bcc = parties_of("bcc", d);
  ASSERT_EQ(bcc.size(), 1u);
  EXPECT_TRUE(bcc[0].entity.empty());
  EXPECT_TRUE(bcc[0].id.empty());
  EXPECT_EQ(bcc[0].name, "Hidden");
  EXPECT_FALSE(parties_of("from", d)[0].id.size());
  EXPECT_TRUE(contains(find_step(d, "parties.from")->detail, "stranger@else.example"));
}

TEST(Parties, ResolvedForTossedMessages) {
  MemoryCache cache;
  cache.record("alice@customer.example", "contact", "c-1");
  auto d = decide(mail("alice@customer.example", {"x@else.example"}), "k", cache, Policy{});
  EXPECT_EQ(d.reason, "NoRecipientMatch");
  EXPECT_EQ(parties_of("from", d)[0].id, "c-1");
  EXPECT_EQ(parties_of("to", d).size(), 1u);
}

TEST(Parties, UnusableFromIsAnUnresolvedParty) {
  auto cache = with_queue();
  auto d = decide(mail("jjl at pobox.com", {"sales@contoso.example"}), "k", cache, Policy{});
  auto from = parties_of("from", d);
  ASSERT_EQ(from.size(), 1u);
  EXPECT_EQ(from[0].address, "jjl at pobox.com");
  EXPECT_TRUE(from[0].entity.empty());
}

// --- routing.create_unknown_sender (opt-in)

TEST(Parties, UnknownSenderOfAnAcceptedMessageIsMarkedForCreationWhenAskedFor) {
  auto cache = with_queue();
  auto m = mail("stranger@else.example", {"sales@contoso.example"});
  EXPECT_TRUE(parties_of("from", decide(m, "k", cache, Policy{}))[0].create.empty());  // off by default
  Policy p;
  p.create_unknown_sender = "contact";
  auto d = decide(m, "k", cache, p);
  ASSERT_TRUE(d.accepted);
  EXPECT_EQ(parties_of("from", d)[0].create, "contact");
  EXPECT_TRUE(parties_of("to", d)[0].create.empty());
  const Step* s = find_step(d, "parties.create");
  ASSERT_TRUE(s);
  EXPECT_TRUE(s->fired);
  EXPECT_TRUE(contains(s->detail, "stranger@else.example matches no record"));
  p.create_unknown_sender = "lead";
  EXPECT_EQ(parties_of("from", decide(m, "k", cache, p))[0].create, "lead");
}

TEST(Parties, NoCreationForAKnownSenderATossedMessageOrAnUnusableAddress) {
  Policy p;
  p.create_unknown_sender = "contact";
  auto cache = with_queue();
  cache.record("alice@customer.example", "contact", "c-1");
  auto known = decide(mail("alice@customer.example", {"sales@contoso.example"}), "k", cache, p);
  EXPECT_TRUE(parties_of("from", known)[0].create.empty());
  EXPECT_FALSE(find_step(known, "parties.create"));
  auto tossed = decide(mail("stranger@else.example", {"nobody@else.example"}), "k", cache, p);
  EXPECT_FALSE(tossed.accepted);
  EXPECT_TRUE(parties_of("from", tossed)[0].create.empty());
  auto unusable = decide(mail("jjl at pobox.com", {"sales@contoso.example"}), "k", cache, p);
  EXPECT_TRUE(parties_of("from", unusable)[0].create.empty());
}

}  // namespace
}  // namespace crmr
