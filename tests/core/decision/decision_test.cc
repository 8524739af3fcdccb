// Specification of decide(): duplicates, hygiene, attachments and the step trace.
// Correlation, acceptance and parties have their own files.
#include "core/decision/decision.h"

#include <gtest/gtest.h>

#include "tests/core/decision/decision_fixture.h"

namespace crmr {
namespace {

using test::contains;
using test::find_step;
using test::mail;
using test::MemoryCache;

// A cache where sales@contoso.example is a queue that accepts all mail.
MemoryCache open_queue() {
  MemoryCache c;
  c.queue("sales@contoso.example", "q-sales", 0);
  return c;
}

Message to_sales(const std::string& subject = "Hello") {
  return mail("alice@customer.example", {"sales@contoso.example"}, subject);
}

// --- 1. duplicates

TEST(Duplicate, KeyAlreadyInTheLedger) {
  auto cache = open_queue();
  cache.ledger.insert("m1@customer.example");
  auto d = decide(to_sales(), "m1@customer.example", cache, Policy{});
  EXPECT_EQ(d.outcome, Outcome::Duplicate);
  EXPECT_EQ(d.reason, "Duplicate");
  EXPECT_FALSE(d.accepted);
  EXPECT_EQ(d.key, "m1@customer.example");
  ASSERT_EQ(d.steps.size(), 1u);
  EXPECT_EQ(d.steps[0].rule, "duplicate.ledger");
  EXPECT_TRUE(d.steps[0].fired);
  EXPECT_TRUE(contains(d.steps[0].detail, "already processed"));
  EXPECT_TRUE(d.parties.empty());  // duplicates stop at once
}

TEST(Duplicate, MessageIdTheCrmAlreadyTracks) {
  auto cache = open_queue();
  cache.tracked.push_back(test::Tracked("act-7").message_id("m1@customer.example"));
  auto d = decide(to_sales(), "k", cache, Policy{});
  EXPECT_EQ(d.outcome, Outcome::Duplicate);
  EXPECT_EQ(d.reason, "Duplicate");
  auto* s = find_step(d, "duplicate.crm_message_id");
  ASSERT_TRUE(s);
  EXPECT_TRUE(s->fired);
  EXPECT_TRUE(contains(s->detail, "act-7"));
  EXPECT_TRUE(contains(s->detail, "m1@customer.example"));
  EXPECT_FALSE(contains(s->detail, "CRM itself sent"));
  EXPECT_EQ(d.correlated_activity_id, "act-7");
}

TEST(Duplicate, MailTheCrmItselfSentIsSaidSo) {
  auto cache = open_queue();
  cache.tracked.push_back(
      test::Tracked("act-8").message_id("m1@customer.example").outgoing(true));
  auto d = decide(to_sales(), "k", cache, Policy{});
  EXPECT_EQ(d.outcome, Outcome::Duplicate);
  EXPECT_TRUE(contains(find_step(d, "duplicate.crm_message_id")->detail, "CRM itself sent"));
}

TEST(Duplicate, MessageIdComparedWithItsDomainLowerCased) {
  auto cache = open_queue();
  cache.tracked.push_back(test::Tracked("act-9").message_id("AbC@mail.example"));
  auto m = to_sales();
  m.message_id = "AbC@MAIL.Example";
  EXPECT_EQ(decide(m, "k", cache, Policy{}).outcome, Outcome::Duplicate);
  m.message_id = "abc@mail.example";  // the local part is case-sensitive
  EXPECT_NE(decide(m, "k", cache, Policy{}).outcome, Outcome::Duplicate);
}

TEST(Duplicate, NotADuplicateSaysWhatWasChecked) {
  auto cache = open_queue();
  auto d = decide(to_sales(), "k1", cache, Policy{});
  EXPECT_EQ(d.outcome, Outcome::Queued);
  EXPECT_FALSE(find_step(d, "duplicate.ledger")->fired);
  EXPECT_TRUE(contains(find_step(d, "duplicate.ledger")->detail, "k1"));
  EXPECT_FALSE(find_step(d, "duplicate.crm_message_id")->fired);
  auto m = to_sales();
  m.message_id.clear();
  d = decide(m, "k1", cache, Policy{});
  EXPECT_TRUE(contains(find_step(d, "duplicate.crm_message_id")->detail, "no Message-ID"));
}

// --- 2. hygiene

TEST(Hygiene, TooManyReceivedHeadersIsAMailLoop) {
  auto cache = open_queue();
  auto m = to_sales();
  for (int i = 0; i < 31; ++i) m.headers.push_back({i % 2 ? "Received" : "received", "x"});
  auto d = decide(m, "k", cache, Policy{});
  EXPECT_EQ(d.outcome, Outcome::Tossed);
  EXPECT_EQ(d.reason, "MailLoop");
  EXPECT_TRUE(contains(find_step(d, "hygiene.mail_loop")->detail, "31 Received"));
  EXPECT_FALSE(d.parties.empty());  // the report still shows who it was from

  m.headers.resize(30);
  EXPECT_EQ(decide(m, "k", cache, Policy{}).reason, "AcceptAll");
}

TEST(Hygiene, XLoopNamingThisMailboxIsAMailLoop) {
  auto cache = open_queue();
  Policy p;
  p.role = {MailboxRole::Queue, "Sales@Contoso.example"};
  auto m = to_sales();
  m.headers.push_back({"X-Loop", "crm-router <sales@contoso.example>"});
  auto d = decide(m, "k", cache, p);
  EXPECT_EQ(d.reason, "MailLoop");
  EXPECT_TRUE(contains(find_step(d, "hygiene.mail_loop")->detail, "sales@contoso.example"));

  m.headers.back().value = "someone-else@list.example";
  EXPECT_EQ(decide(m, "k", cache, p).reason, "AcceptAll");
}

TEST(Hygiene, DeliveryReportIsTossedUnlessThePolicyKeepsIt) {
  auto cache = open_queue();
  auto m = to_sales();
  m.is_delivery_status = true;
  auto d = decide(m, "k", cache, Policy{});
  EXPECT_EQ(d.outcome, Outcome::Tossed);
  EXPECT_EQ(d.reason, "DeliveryReport");
  Policy keep;
  keep.reject_delivery_reports = false;
  d = decide(m, "k", cache, keep);
  EXPECT_EQ(d.reason, "AcceptAll");
  EXPECT_TRUE(contains(find_step(d, "hygiene.delivery_report")->detail, "kept"));
}

TEST(Hygiene, AutoReplyHeaders) {
  struct Case {
    const char* name;
    std::string Message::*field;
    const char* value;
    bool auto_reply;
  };
  const std::vector<Case> cases = {
      {"Auto-Submitted auto-replied", &Message::auto_submitted, "auto-replied", true},
      {"Auto-Submitted with comment", &Message::auto_submitted, "auto-replied (vacation)", true},
      {"Auto-Submitted auto-generated", &Message::auto_submitted, "auto-generated", true},
      {"Auto-Submitted no", &Message::auto_submitted, "no", false},
      {"Auto-Submitted No with comment", &Message::auto_submitted, " No (human)", false},
      {"X-Autoreply yes", &Message::x_autoreply, "yes", true},
      {"Precedence auto_reply", &Message::precedence, "auto_reply", true},
      {"Precedence bulk", &Message::precedence, "bulk", false},
      {"Precedence list", &Message::precedence, "list", false},
      {"X-Auto-Response-Suppress alone", &Message::x_auto_response_suppress, "All", false},
  };
  auto cache = open_queue();
  for (const auto& c : cases) {
    auto m = to_sales();
    m.*(c.field) = c.value;
    auto d = decide(m, "k", cache, Policy{});
    EXPECT_EQ(d.reason, c.auto_reply ? "AutoReply" : "AcceptAll") << c.name;
    EXPECT_EQ(find_step(d, "hygiene.auto_reply")->fired, c.auto_reply) << c.name;
  }
}

TEST(Hygiene, AutoReplyFoundInRawHeadersToo) {
  auto cache = open_queue();
  auto m = to_sales();
  m.headers.push_back({"auto-submitted", "auto-replied"});
  auto d = decide(m, "k", cache, Policy{});
  EXPECT_EQ(d.reason, "AutoReply");
  EXPECT_TRUE(contains(find_step(d, "hygiene.auto_reply")->detail, "auto-replied"));
}

TEST(Hygiene, AutoReplyKeptWhenThePolicySaysSo) {
  auto cache = open_queue();
  auto m = to_sales();
  m.auto_submitted = "auto-replied";
  Policy keep;
  keep.reject_auto_replies = false;
  EXPECT_EQ(decide(m, "k", cache, keep).reason, "AcceptAll");
}

TEST(Hygiene, ComesBeforeCorrelation) {
  auto cache = open_queue();
  cache.tracked.push_back(test::Tracked("act-1").message_id("parent@contoso.example"));
  auto m = to_sales();
  m.in_reply_to = {"parent@contoso.example"};
  m.auto_submitted = "auto-replied";
  auto d = decide(m, "k", cache, Policy{});
  EXPECT_EQ(d.reason, "AutoReply");
  EXPECT_EQ(d.correlation, Correlation::None);
  EXPECT_FALSE(find_step(d, "correlation.in_reply_to"));
}

// --- 7. attachments

Attachment file(const std::string& name, std::uint64_t size) {
  Attachment a;
  a.filename = name;
  a.content_type = "application/octet-stream";
  a.size = size;
  return a;
}

TEST(Attachments, BlockedExtensionsAreLeftOutAndNamed) {
  auto cache = open_queue();
  cache.settings.blocked_extensions = default_blocked_extensions();
  auto m = to_sales();
  m.attachments = {file("invoice.pdf", 100), file("setup.EXE", 100),
                   file("evil.exe. ", 100), file("archive.tar.gz", 100),
                   file("noextension", 100), file("", 100)};
  auto d = decide(m, "k", cache, Policy{});
  ASSERT_EQ(d.attachments.size(), 6u);
  EXPECT_TRUE(d.attachments[0].kept);
  EXPECT_TRUE(d.attachments[0].why.empty());
  EXPECT_FALSE(d.attachments[1].kept);
  EXPECT_EQ(d.attachments[1].why, "blocked extension .exe");
  EXPECT_FALSE(d.attachments[2].kept);
  EXPECT_TRUE(d.attachments[3].kept);
  EXPECT_TRUE(d.attachments[4].kept);
  EXPECT_TRUE(d.attachments[5].kept);
  EXPECT_EQ(d.attachments[1].filename, "setup.EXE");
  auto* s = find_step(d, "attachments.blocked");
  ASSERT_TRUE(s);
  EXPECT_TRUE(contains(s->detail, "setup.EXE"));
  EXPECT_TRUE(contains(find_step(d, "attachments")->detail, "4 kept, 2 left out"));
  EXPECT_EQ(d.outcome, Outcome::Queued);  // the message itself still goes in
}

TEST(Attachments, OversizeMeasuredInBase64) {
  auto cache = open_queue();
  cache.settings.max_upload_file_size = 400;
  auto m = to_sales();
  // 300 bytes are exactly 400 in base64; 301 bytes are 404.
  m.attachments = {file("fits.pdf", 300), file("big.pdf", 301)};
  auto d = decide(m, "k", cache, Policy{});
  EXPECT_TRUE(d.attachments[0].kept);
  EXPECT_FALSE(d.attachments[1].kept);
  EXPECT_TRUE(contains(d.attachments[1].why, "404"));
  EXPECT_TRUE(contains(d.attachments[1].why, "400"));
  EXPECT_EQ(d.attachments[1].bytes, 301u);
  EXPECT_TRUE(contains(find_step(d, "attachments.oversize")->detail, "maxuploadfilesize"));
}

TEST(Attachments, SizeFallsBackToTheData) {
  auto cache = open_queue();
  cache.settings.max_upload_file_size = 4;
  auto m = to_sales();
  Attachment a;
  a.filename = "x.txt";
  a.data = "abcd";  // size left 0 by the producer
  m.attachments = {a};
  auto d = decide(m, "k", cache, Policy{});
  EXPECT_EQ(d.attachments[0].bytes, 4u);
  EXPECT_FALSE(d.attachments[0].kept);
}

TEST(Attachments, JudgedOnTossedMessagesToo) {
  MemoryCache cache;  // nobody to deliver to
  cache.settings.blocked_extensions = {"exe"};
  auto m = to_sales();
  m.attachments = {file("a.exe", 1)};
  auto d = decide(m, "k", cache, Policy{});
  EXPECT_EQ(d.reason, "NoRecipientMatch");
  ASSERT_EQ(d.attachments.size(), 1u);
  EXPECT_FALSE(d.attachments[0].kept);
}

// --- the step trace

TEST(StepTrace, FollowsTheDecisionOrder) {
  auto cache = open_queue();
  cache.record("alice@customer.example", "contact", "c-1", "Alice");
  auto d = decide(to_sales(), "k", cache, Policy{});
  EXPECT_EQ(test::rules(d),
            (std::vector<std::string>{
                "duplicate.ledger", "duplicate.crm_message_id", "hygiene.mail_loop",
                "hygiene.delivery_report", "hygiene.auto_reply", "correlation.in_reply_to",
                "correlation.tracking_token", "correlation.conversation_index",
                "correlation.smart_match", "sender", "internal_email", "acceptance.recipients",
                "acceptance.recipient", "acceptance", "acceptance.accepted_by", "parties.from", "parties.to",
                "attachments"}));
}

TEST(StepTrace, DetailsNameAddressesRecordsAndMethods) {
  auto cache = open_queue();
  cache.record("alice@customer.example", "contact", "c-1", "Alice");
  auto d = decide(to_sales(), "k", cache, Policy{});
  auto* r = find_step(d, "acceptance.recipient");
  EXPECT_TRUE(r->fired);
  EXPECT_TRUE(contains(r->detail, "queue \"Queue q-sales\" {q-sales}"));
  EXPECT_TRUE(contains(r->detail, "To sales@contoso.example"));
  EXPECT_TRUE(contains(r->detail, "filtering method 0"));
  EXPECT_TRUE(contains(r->detail, "AcceptAll"));
  auto* from = find_step(d, "parties.from");
  EXPECT_TRUE(contains(from->detail, "alice@customer.example -> contact \"Alice\" {c-1}"));
  EXPECT_TRUE(contains(find_step(d, "correlation.smart_match")->detail, "switched off"));
}

TEST(Outcome, AcceptedIsQueuedTossedIsTossed) {
  auto cache = open_queue();
  auto d = decide(to_sales(), "k", cache, Policy{});
  EXPECT_TRUE(d.accepted);
  EXPECT_EQ(d.outcome, Outcome::Queued);
  d = decide(mail("a@x.example", {"b@y.example"}), "k", cache, Policy{});
  EXPECT_FALSE(d.accepted);
  EXPECT_EQ(d.outcome, Outcome::Tossed);
}

TEST(Decide, LooksEachAddressUpOnce) {
  auto cache = open_queue();
  cache.user("bob@contoso.example", "u-bob", 2);
  auto m = mail("alice@customer.example", {"sales@contoso.example", "bob@contoso.example"});
  decide(m, "k", cache, Policy{});
  EXPECT_EQ(cache.address_lookups, 3);
}

}  // namespace
}  // namespace crmr
