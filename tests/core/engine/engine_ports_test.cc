// The engine on its own: the pipeline and a mailbox run over the in-memory
// ports (tests/support/memory_ports.h), an in-memory cache and an in-memory
// server, with no SQLite and no command line. What the pipeline would log
// reaches its events; a dry run keeps its keys in the set it is given.
#include <gtest/gtest.h>

#include <deque>

#include "core/engine/mailbox_cursor.h"
#include "core/engine/mailbox_run.h"
#include "core/engine/pipeline.h"
#include "tests/support/fake_mailbox.h"
#include "tests/support/memory_cache.h"
#include "tests/support/memory_ports.h"
#include "tests/support/result_matchers.h"

namespace crmr::test {
namespace {

constexpr std::int64_t kJan2026 = 1767225600;  // 2026-01-01T00:00:00Z

std::string note(int n) {
  return "From: alice@customer.example\r\nTo: bob@contoso.example\r\nSubject: note " +
         std::to_string(n) + "\r\nMessage-ID: <n" + std::to_string(n) +
         "@customer.example>\r\nDate: Mon, 5 Jan 2026 10:00:00 +0000\r\n\r\nbody\r\n";
}

// A source of scripted answers: a message, or a read error of one message.
class ScriptedSource final : public MailSource {
 public:
  std::deque<Result<std::optional<RawMessage>>> answers;
  std::string describe() const override { return "scripted"; }
  Result<std::optional<RawMessage>> next() override {
    if (answers.empty()) return std::optional<RawMessage>();
    auto a = std::move(answers.front());
    answers.pop_front();
    return a;
  }
};

struct RecordedEvents final : PipelineEvents {
  std::vector<std::string> lines;
  void cache_failed(const Error& e) override { lines.push_back("cache: " + e.message); }
  void source_failed(const std::string& source, const Error& e) override {
    lines.push_back("source " + source + ": " + e.message);
  }
  void source_failure_not_recorded(const std::string& source, const Error& e) override {
    lines.push_back("not recorded " + source + ": " + e.message);
  }
};

class EngineAlone : public ::testing::Test {
 protected:
  EngineAlone() { cache_.user("bob@contoso.example", "u-1", 0); }

  MemoryCache cache_;
  MemoryJournal journal_{cache_.ledger};
  MemoryStateStore state_;
  std::vector<std::string> outcomes_;
  EntrySink sink() {
    return [this](ReportEntry&& e) { outcomes_.push_back(e.outcome); };
  }
};

TEST_F(EngineAlone, MailboxRunCommitsThenDisposesThenMovesTheCursor) {
  FakeServer server;
  for (int i = 1; i <= 3; ++i) server.deliver(note(i), kJan2026);
  MailboxSettings m;
  m.name = "box";
  m.all = true;
  m.batch_size = 2;
  m.after.kind = Disposition::Seen;
  auto run = [&] {
    Pipeline p(journal_, cache_, PipelineOptions{}, 1, sink());
    FakeSession s(server);
    auto r = run_mailbox(s, m, state_, p, MailboxRunOptions{});
    EXPECT_OK(r);
    return r ? r->fetched : 0;
  };
  EXPECT_EQ(run(), 3u);
  // Batch 2 is fetched while batch 1 is committed; each is disposed of after.
  const std::vector<std::string> want = {"fetch 1", "fetch 2", "fetch 3", "seen 1,2", "seen 3",
                                         "quit"};
  EXPECT_EQ(server.log, want);
  EXPECT_EQ(outcomes_, (std::vector<std::string>{"queued", "queued", "queued"}));
  ASSERT_EQ(journal_.processed.size(), 3u);
  EXPECT_EQ(journal_.processed[0].position, "UID 1");
  auto c = load_cursor(state_, "box", "INBOX");
  ASSERT_OK(c);
  ASSERT_TRUE(*c);
  EXPECT_EQ((*c)->uidvalidity, 7u);
  EXPECT_EQ((*c)->last_uid, 3u);
  // The next run finds nothing new.
  EXPECT_EQ(run(), 0u);
}

TEST_F(EngineAlone, WithoutPersistentUidsTheSeenIdsAreRemembered) {
  FakeServer server;
  server.pop3 = true;
  for (int i = 1; i <= 2; ++i) server.deliver(note(i), kJan2026);
  MailboxSettings m;
  m.name = "box";
  m.all = true;
  Pipeline p(journal_, cache_, PipelineOptions{}, 1, sink());
  FakeSession s(server);
  auto r = run_mailbox(s, m, state_, p, MailboxRunOptions{});
  ASSERT_OK(r);
  EXPECT_EQ(r->fetched, 2u);
  EXPECT_EQ(state_.seen["box"], (std::set<std::string>{"U1", "U2"}));
  ASSERT_EQ(journal_.processed.size(), 2u);
  EXPECT_EQ(journal_.processed[0].position, "UIDL U1");
}

TEST_F(EngineAlone, AReadErrorIsReportedToTheEventsAndTheRunGoesOn) {
  RecordedEvents events;
  Pipeline p(journal_, cache_, PipelineOptions{}, 1, sink(), PipelineServices{{}, &events});
  ScriptedSource src;
  src.answers.push_back(fail(Code::SourceReadError, "unreadable", Scope::Message, Retry::Never));
  src.answers.push_back(std::optional<RawMessage>(RawMessage{"scripted", "#2", note(2), {}}));
  ASSERT_OK(p.run_source(src, {}));
  EXPECT_EQ(events.lines, (std::vector<std::string>{"source scripted: unreadable"}));
  EXPECT_EQ(outcomes_, (std::vector<std::string>{"failed", "queued"}));
  EXPECT_EQ(journal_.entries.size(), 2u);  // the failure is in the run's history too
}

TEST_F(EngineAlone, ADryRunKeepsItsKeysInTheSetItIsGivenAndWritesNothing) {
  struct CountingKeys final : SeenKeys {
    std::set<std::string, std::less<>>* keys;
    Status insert(std::string_view k) override {
      keys->emplace(k);
      return {};
    }
    Result<bool> find(std::string_view k) const override { return keys->contains(k); }
  };
  std::set<std::string, std::less<>> keys;
  int opened = 0;
  PipelineServices services;
  services.open_seen_keys = [&]() -> Result<std::unique_ptr<SeenKeys>> {
    ++opened;
    auto set = std::make_unique<CountingKeys>();
    set->keys = &keys;
    return std::unique_ptr<SeenKeys>(std::move(set));
  };
  PipelineOptions po;
  po.dry_run = true;
  Pipeline p(journal_, cache_, po, 1, sink(), services);
  for (int i = 0; i < 2; ++i) {
    auto r = p.process(RawMessage{"x", "#1", note(1), {}});
    ASSERT_OK(r);
  }
  ASSERT_OK(p.flush());
  EXPECT_EQ(outcomes_, (std::vector<std::string>{"queued", "duplicate"}));
  EXPECT_EQ(opened, 1);
  EXPECT_EQ(keys.size(), 1u);
  EXPECT_TRUE(journal_.processed.empty());
  EXPECT_TRUE(cache_.ledger.empty());
}

}  // namespace
}  // namespace crmr::test
