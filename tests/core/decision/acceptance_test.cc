// Specification of acceptance in decide(): filtering methods, the reasons when
// nobody accepts, mailbox roles (user, queue, forward) and internal e-mail.
#include <gtest/gtest.h>

#include "core/decision/decision.h"
#include "tests/core/decision/decision_fixture.h"

namespace crmr {
namespace {

using test::contains;
using test::find_step;
using test::mail;
using test::MemoryCache;

// bob@ is a CRM user with filtering method `method`; the sender is a contact,
// a lead, a fellow user, or nobody the CRM knows.
MemoryCache with_bob(int method) {
  MemoryCache c;
  c.user("bob@contoso.example", "u-bob", method);
  c.user("carol@contoso.example", "u-carol", 0);
  c.record("contact@customer.example", "contact", "c-1", "Connie Contact");
  c.record("lead@prospect.example", "lead", "l-1", "Lenny Lead");
  c.record("old@customer.example", "contact", "c-old", "Gone", /*active=*/false);
  c.settings.ignore_internal_email = false;
  return c;
}

struct Case {
  const char* name;
  int method;
  const char* sender;
  const char* reason;
};

TEST(Acceptance, FilteringMethods) {
  const std::vector<Case> cases = {
      {"0 takes everything", 0, "stranger@else.example", "AcceptAll"},
      {"1 takes only correlated mail", 1, "contact@customer.example", "NoCorrelationMatch"},
      {"2 takes a contact", 2, "contact@customer.example", "SenderMatch"},
      {"2 takes a lead", 2, "lead@prospect.example", "SenderMatch"},
      {"2 refuses a stranger", 2, "stranger@else.example", "InvalidSender"},
      {"2 refuses an inactive contact", 2, "old@customer.example", "InvalidSender"},
      {"2 refuses a CRM user", 2, "carol@contoso.example", "InvalidSender"},
      {"3 takes a CRM user", 3, "carol@contoso.example", "SenderMatch"},
      {"3 takes a lead", 3, "lead@prospect.example", "SenderMatch"},
      {"3 refuses a stranger", 3, "stranger@else.example", "InvalidSender"},
      {"4 takes nothing", 4, "contact@customer.example", "FilteredOut"},
      {"unknown method takes nothing", 9, "contact@customer.example", "FilteredOut"},
  };
  for (const auto& c : cases) {
    auto cache = with_bob(c.method);
    auto d = decide(mail(c.sender, {"bob@contoso.example"}), "k", cache, Policy{});
    EXPECT_EQ(d.reason, c.reason) << c.name;
    const bool accepted = std::string(c.reason) == "AcceptAll" ||
                          std::string(c.reason) == "SenderMatch";
    EXPECT_EQ(d.accepted, accepted) << c.name;
    EXPECT_EQ(d.outcome, accepted ? Outcome::Queued : Outcome::Tossed) << c.name;
  }
}

TEST(Acceptance, MissingFilteringMethodTakesDynamicsDefaults) {
  MemoryCache users;
  users.user("bob@contoso.example", "u-bob", -1);
  auto d = decide(mail("x@else.example", {"bob@contoso.example"}), "k", users, Policy{});
  EXPECT_EQ(d.reason, "NoCorrelationMatch");  // users: 1
  EXPECT_TRUE(contains(find_step(d, "acceptance.recipient")->detail, "default 1"));
  MemoryCache queues;
  queues.queue("sales@contoso.example", "q-1", -1);
  EXPECT_EQ(decide(mail("x@else.example", {"sales@contoso.example"}), "k", queues, Policy{})
                .reason,
            "AcceptAll");  // queues: 0
}

TEST(Acceptance, AnyRecipientThatAcceptsIsEnough) {
  auto cache = with_bob(4);
  auto m = mail("stranger@else.example", {"bob@contoso.example"});
  m.bcc = {test::addr("CAROL@contoso.example")};
  auto d = decide(m, "k", cache, Policy{});
  EXPECT_TRUE(d.accepted);
  EXPECT_EQ(d.reason, "AcceptAll");
  EXPECT_TRUE(contains(find_step(d, "acceptance")->detail, "u-carol"));
}

TEST(Acceptance, NoCrmRecipientIsNoRecipientMatch) {
  auto cache = with_bob(0);
  auto d = decide(mail("contact@customer.example", {"someone@else.example"}), "k", cache,
                  Policy{});
  EXPECT_EQ(d.reason, "NoRecipientMatch");
  EXPECT_FALSE(find_step(d, "acceptance.recipients")->fired);
}

TEST(Acceptance, InactiveUsersAndContactsAreNoRecipients) {
  MemoryCache cache;
  cache.user("bob@contoso.example", "u-bob", 0, /*active=*/false);
  cache.record("bob@contoso.example", "contact", "c-bob", "Bob at home");
  auto d = decide(mail("x@else.example", {"bob@contoso.example"}), "k", cache, Policy{});
  EXPECT_EQ(d.reason, "NoRecipientMatch");
}

TEST(Acceptance, UnknownSenderOutweighsCorrelationWhenExplainingARefusal) {
  auto cache = with_bob(1);
  cache.queue("sales@contoso.example", "q-1", 2);
  auto to_both = [](const char* sender) {
    return mail(sender, {"bob@contoso.example", "sales@contoso.example"});
  };
  EXPECT_EQ(decide(to_both("stranger@else.example"), "k", cache, Policy{}).reason,
            "InvalidSender");
  // A known sender of the wrong kind: the correlation-only recipient explains it.
  EXPECT_EQ(decide(to_both("carol@contoso.example"), "k", cache, Policy{}).reason,
            "NoCorrelationMatch");
}

TEST(Acceptance, NoUsableFromIsInvalidSender) {
  auto cache = with_bob(0);
  auto d = decide(mail("", {"bob@contoso.example"}), "k", cache, Policy{});
  EXPECT_EQ(d.reason, "InvalidSender");
  EXPECT_TRUE(find_step(d, "sender")->fired);
  EXPECT_TRUE(contains(find_step(d, "sender")->detail, "no From address"));

  // Pipermail archives write "jjl at pobox.com".
  d = decide(mail("jjl at pobox.com", {"bob@contoso.example"}), "k", cache, Policy{});
  EXPECT_EQ(d.reason, "InvalidSender");
  EXPECT_TRUE(contains(find_step(d, "sender")->detail, "jjl at pobox.com"));
}

TEST(Acceptance, MailboxOwnerIsARecipient) {
  auto cache = with_bob(0);
  auto m = mail("stranger@else.example", {"list@lists.example"});  // bob got it via a list
  EXPECT_EQ(decide(m, "k", cache, Policy{}).reason, "NoRecipientMatch");
  Policy p;
  p.role = {MailboxRole::User, "Bob@Contoso.example"};
  auto d = decide(m, "k", cache, p);
  EXPECT_EQ(d.reason, "AcceptAll");
  EXPECT_TRUE(contains(find_step(d, "acceptance.recipient")->detail, "mailbox owner"));
}

TEST(Acceptance, QueueMailboxOwnerIsARecipient) {
  MemoryCache cache;
  cache.queue("support@contoso.example", "q-sup", 3);
  cache.record("contact@customer.example", "contact", "c-1");
  Policy p;
  p.role = {MailboxRole::Queue, "support@contoso.example"};
  auto d = decide(mail("contact@customer.example", {"alias@contoso.example"}), "k", cache, p);
  EXPECT_EQ(d.reason, "SenderMatch");
  // A user role does not make a queue address the owner.
  p.role.kind = MailboxRole::User;
  d = decide(mail("contact@customer.example", {"alias@contoso.example"}), "k", cache, p);
  EXPECT_EQ(d.reason, "NoRecipientMatch");
  EXPECT_TRUE(contains(find_step(d, "acceptance.recipients")->detail, "not an active CRM user"));
}

TEST(Acceptance, ForwardMailboxUsesTheForwardingUser) {
  auto cache = with_bob(2);
  Policy p;
  p.role = {MailboxRole::Forward, "crm-forward@contoso.example"};
  p.forwarded_by = "bob@contoso.example";
  // The inner message went to an address the CRM does not know.
  auto d = decide(mail("contact@customer.example", {"bob.private@home.example"}), "k", cache,
                  p);
  EXPECT_TRUE(d.accepted);
  EXPECT_EQ(d.reason, "SenderMatch");
  EXPECT_TRUE(contains(find_step(d, "acceptance.recipient")->detail, "forwarded by"));

  d = decide(mail("stranger@else.example", {"bob.private@home.example"}), "k", cache, p);
  EXPECT_EQ(d.reason, "InvalidSender");

  p.forwarded_by.clear();
  d = decide(mail("contact@customer.example", {"bob.private@home.example"}), "k", cache, p);
  EXPECT_EQ(d.reason, "NoRecipientMatch");
  EXPECT_TRUE(contains(find_step(d, "acceptance.recipients")->detail, "no forwarding user"));
}

TEST(InternalEmail, BetweenCrmUsersIsRejected) {
  auto cache = with_bob(0);
  cache.queue("sales@contoso.example", "q-1", 0);
  cache.settings.ignore_internal_email = true;
  auto m = mail("carol@contoso.example", {"bob@contoso.example"});
  m.cc = {test::addr("sales@contoso.example")};
  auto d = decide(m, "k", cache, Policy{});
  EXPECT_EQ(d.outcome, Outcome::Tossed);
  EXPECT_EQ(d.reason, "InternalEmailReject");
  auto* s = find_step(d, "internal_email");
  EXPECT_TRUE(s->fired);
  EXPECT_TRUE(contains(s->detail, "carol@contoso.example"));
  EXPECT_FALSE(d.parties.empty());
}

TEST(InternalEmail, AnOutsideRecipientMakesItExternal) {
  auto cache = with_bob(0);
  cache.settings.ignore_internal_email = true;
  auto m = mail("carol@contoso.example", {"bob@contoso.example", "contact@customer.example"});
  auto d = decide(m, "k", cache, Policy{});
  EXPECT_EQ(d.reason, "AcceptAll");
  EXPECT_TRUE(contains(find_step(d, "internal_email")->detail, "contact@customer.example"));
}

TEST(InternalEmail, AcceptedWhenTheOrganisationDoesNotIgnoreIt) {
  auto cache = with_bob(0);
  auto d = decide(mail("carol@contoso.example", {"bob@contoso.example"}), "k", cache, Policy{});
  EXPECT_EQ(d.reason, "AcceptAll");
  EXPECT_TRUE(contains(find_step(d, "internal_email")->detail, "ignoreinternalemail is off"));
}

TEST(InternalEmail, CorrelatedInternalMailIsStillAccepted) {
  auto cache = with_bob(0);
  cache.settings.ignore_internal_email = true;
  cache.tracked.push_back(test::Tracked("act-1").message_id("p@contoso.example"));
  auto m = mail("carol@contoso.example", {"bob@contoso.example"});
  m.in_reply_to = {"p@contoso.example"};
  auto d = decide(m, "k", cache, Policy{});
  EXPECT_EQ(d.reason, "CorrelationMatch");
  EXPECT_FALSE(find_step(d, "internal_email"));
}

}  // namespace
}  // namespace crmr
