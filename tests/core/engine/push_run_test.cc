// The push run (core/engine/push_run.h) on its own: an outbox kept in memory
// and a CRM sink that answers each message as the test scripts it, so what
// the run records for each answer is seen without SQLite or HTTP. The push
// against the Dataverse simulator is tested in tests/core/crm.
#include "core/engine/push_run.h"

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "tests/support/result_matchers.h"

namespace crmr::test {
namespace {

// The outbox as plain containers: pending items, what became of them, the
// run's report entries (committed ones only: rollback() drops the others).
class MemoryOutbox final : public PushOutbox {
 public:
  struct Mark {
    std::string activity_id;  // done
    std::string error;        // failed
    bool permanent = false;
  };
  std::map<std::int64_t, OutboxMessage> pending;
  std::map<std::int64_t, Mark> marks;
  std::vector<std::string> entries;  // committed report entries (JSON)
  int commits = 0;

  void queue(std::int64_t id) {
    ReportEntry e;
    e.key = "key-" + std::to_string(id);
    e.outcome = "queued";
    pending[id] = OutboxMessage{id, e.key, "raw", entry_to_json(e), 0, 0, 0};
  }

  Result<std::vector<OutboxMessage>> outbox_pending_after(std::int64_t after_id,
                                                          std::size_t limit) const override {
    std::vector<OutboxMessage> out;
    for (auto it = pending.upper_bound(after_id); it != pending.end() && out.size() < limit; ++it)
      out.push_back(it->second);
    return out;
  }
  Result<std::int64_t> outbox_pending_count() const override {
    return static_cast<std::int64_t>(pending.size());
  }
  Status outbox_done(std::int64_t id, const std::string& activity_id) override {
    marks_[id] = Mark{activity_id, "", false};
    return {};
  }
  Status outbox_failed(std::int64_t id, const std::string& error, bool permanent) override {
    marks_[id] = Mark{"", error, permanent};
    return {};
  }
  Status upsert_record(const CrmRecord&) override { return {}; }
  Result<std::int64_t> last_run_seq(std::int64_t) const override { return 0; }
  Status add_run_entry(std::int64_t, std::int64_t, const std::string& json) override {
    entries_.push_back(json);
    return {};
  }
  Status begin() override { return {}; }
  Status commit() override {
    ++commits;
    for (auto& [id, m] : marks_) {
      if (!m.activity_id.empty() || m.permanent) pending.erase(id);
      marks[id] = m;
    }
    for (auto& e : entries_) entries.push_back(e);
    marks_.clear();
    entries_.clear();
    return {};
  }
  void rollback() noexcept override {
    marks_.clear();
    entries_.clear();
  }

 private:
  std::map<std::int64_t, Mark> marks_;  // of the open transaction
  std::vector<std::string> entries_;
};

// A CRM that answers each message with what `answer` says, one at a time,
// and stops when cancelled.
class ScriptedCrm final : public CrmSink {
 public:
  explicit ScriptedCrm(std::function<Result<PushResult>(const PushMessage&)> answer)
      : answer_(std::move(answer)) {}
  bool cancelled = false;

  Status push_all(const std::vector<PushMessage>& messages, const PushDone& done) override {
    for (const PushMessage& m : messages) {
      if (cancelled) break;
      ++sent_.http;
      ++sent_.counted;
      done(m, answer_(m));
    }
    return {};
  }
  void cancel() override { cancelled = true; }
  CrmRequestCounts request_counts() const override { return sent_; }
  Result<PushPreview> preview(const PushMessage&) const override { return PushPreview{}; }

 private:
  std::function<Result<PushResult>(const PushMessage&)> answer_;
  CrmRequestCounts sent_;
};

class Outcomes final : public PushObserver {
 public:
  std::vector<std::string> outcomes;
  void entry(ReportEntry e, bool) override { outcomes.push_back(e.outcome); }
  void progress(std::uint64_t, std::uint64_t) override {}
};

Result<PushResult> pushed_as(const std::string& activity) {
  PushResult r;
  r.activity_id = activity;
  return r;
}

// `n` queued messages (ids 1..n) pushed by a CRM answering with `answer`.
struct Push {
  MemoryOutbox outbox;
  Outcomes seen;
  bool cancelled = false;
  Result<PushRunResult> result = fail(Code::CrmStopped, "not run");

  Push(int n, std::function<Result<PushResult>(const PushMessage&)> answer, std::size_t give_up_after = 16) {
    for (int id = 1; id <= n; ++id) outbox.queue(id);
    ScriptedCrm crm(std::move(answer));
    PushRunOptions o;
    o.total = static_cast<std::uint64_t>(n);
    o.run_id = 7;
    o.give_up_after = give_up_after;
    result = run_push(outbox, crm, o, seen);
    cancelled = crm.cancelled;
  }
};

TEST(PushRun, EachAnswerBecomesTheOutboxMarkAndTheReportEntry) {
  Push p(3, [](const PushMessage& m) -> Result<PushResult> {
    if (m.id == 1) return pushed_as("activity-1");
    if (m.id == 2) return fail(Code::CrmRejected, "HTTP 400 for " + m.key);  // for good
    return fail(Code::CrmTimeout, "no answer for " + m.key);                  // for now
  });
  auto& r = p.result;
  ASSERT_OK(r);
  EXPECT_EQ(r->finished, 3u);
  EXPECT_TRUE(r->left_queued);
  EXPECT_FALSE(r->fatal);
  EXPECT_EQ(r->sent.http, 3u);
  EXPECT_EQ(p.seen.outcomes, (std::vector<std::string>{"pushed", "quarantined", "queued"}));
  EXPECT_EQ(p.outbox.marks[1].activity_id, "activity-1");
  EXPECT_TRUE(p.outbox.marks[2].permanent);
  EXPECT_NE(p.outbox.marks[2].error.find("HTTP 400 for key-2"), std::string::npos);
  EXPECT_FALSE(p.outbox.marks[3].permanent);
  // Only the transient failure waits for the next push; all three are in the report.
  ASSERT_EQ(p.outbox.pending.size(), 1u);
  EXPECT_EQ(p.outbox.pending.begin()->first, 3);
  EXPECT_EQ(p.outbox.entries.size(), 3u);
}

TEST(PushRun, TransientFailuresInARowStopThePushAsAnUnreachableCrm) {
  Push p(6, [](const PushMessage& m) -> Result<PushResult> {
    return fail(Code::CrmTimeout, "no answer for " + m.key);
  }, 3);
  auto& r = p.result;
  ASSERT_OK(r);
  ASSERT_TRUE(r->fatal);
  EXPECT_EQ(r->fatal->code, Code::CrmUnreachable);
  EXPECT_EQ(r->fatal->scope, Scope::Run);
  EXPECT_TRUE(p.cancelled);
  // Three tried and reported, three never tried: all six still queued.
  EXPECT_EQ(r->finished, 3u);
  EXPECT_EQ(p.seen.outcomes, (std::vector<std::string>{"queued", "queued", "queued"}));
  EXPECT_EQ(p.outbox.pending.size(), 6u);
}

TEST(PushRun, APermanentFailureBetweenTransientOnesStartsTheCountAgain) {
  Push p(5, [](const PushMessage& m) -> Result<PushResult> {
    if (m.id == 3) return fail(Code::CrmRejected, "refused");
    return fail(Code::CrmTimeout, "no answer");
  }, 3);
  ASSERT_OK(p.result);
  EXPECT_FALSE(p.result->fatal);  // never three transient failures in a row
  EXPECT_EQ(p.result->finished, 5u);
}

}  // namespace
}  // namespace crmr::test
