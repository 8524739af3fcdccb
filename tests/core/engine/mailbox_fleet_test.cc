// The parts of a parallel `run` without a server: which mailbox a thread
// reads next (in configuration order, at most N per host), the writer channel
// (requests run on the serving thread, one at a time; stop() answers every
// waiting call so threads can be joined), and read_mailboxes_at_once (every
// outcome in configuration order, a failure of the run stops the rest).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <set>
#include <stdexcept>
#include <thread>

#include "core/engine/mailbox_fleet.h"
#include "core/engine/mailbox_scheduler.h"
#include "core/engine/writer_channel.h"
#include "tests/support/result_matchers.h"

namespace crmr {
namespace {

TEST(UrlHost, HostOfAMailboxUrlInLowerCase) {
  EXPECT_EQ(url_host("imaps://Mail.Example.com:993"), "mail.example.com");
  EXPECT_EQ(url_host("imap://mail.example.com/INBOX"), "mail.example.com");
  EXPECT_EQ(url_host("pop3s://[::1]:995"), "::1");
  EXPECT_EQ(url_host("imap://user@host"), "host");
  EXPECT_EQ(url_host("imap://127.0.0.1:143"), "127.0.0.1");
}

TEST(MailboxScheduler, ConfigurationOrderAndAtMostNPerHost) {
  MailboxScheduler s({"a", "a", "a", "b", "a"}, 2);
  EXPECT_EQ(s.next(), 0u);
  EXPECT_EQ(s.next(), 1u);
  EXPECT_EQ(s.next(), 3u) << "host a is full: b's mailbox goes first";
  std::optional<std::size_t> got;
  std::jthread waiter([&] { got = s.next(); });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_FALSE(got) << "waits while a has two connections";
  s.done(0);
  waiter.join();
  EXPECT_EQ(got, 2u);
  s.done(1);
  EXPECT_EQ(s.next(), 4u);
  EXPECT_EQ(s.next(), std::nullopt) << "none left";
}

TEST(MailboxScheduler, StopWakesAWaitingThread) {
  MailboxScheduler s({"a", "a"}, 1);
  EXPECT_EQ(s.next(), 0u);
  std::optional<std::size_t> got = 99;
  std::jthread waiter([&] { got = s.next(); });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  s.stop();
  waiter.join();
  EXPECT_EQ(got, std::nullopt);
}

TEST(WriterChannel, RequestsRunOnTheServingThreadOneAtATime) {
  WriterChannel w;
  const auto writer_id = std::this_thread::get_id();
  int inside = 0, most = 0, calls = 0;  // touched by the writer only
  std::vector<std::jthread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      ThreadDone done(w);
      for (int i = 0; i < 50; ++i) {
        auto st = w.call([&]() -> Status {
          EXPECT_EQ(std::this_thread::get_id(), writer_id);
          most = std::max(most, ++inside);
          ++calls;
          --inside;
          return {};
        });
        EXPECT_TRUE(st);
      }
    });
  w.serve(4);
  threads.clear();
  EXPECT_EQ(calls, 200);
  EXPECT_EQ(most, 1);
}

TEST(WriterChannel, StopAnswersWaitingAndLaterCallsWithoutRunningThem) {
  WriterChannel w;
  std::atomic<bool> ran{false};
  Status answer;
  std::jthread caller([&] {
    answer = w.call([&]() -> Status {
      ran = true;
      return {};
    });
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  w.stop(Error{Code::RunStopped, "stopped", {}, Scope::Run, Retry::Later});
  caller.join();
  EXPECT_FALSE(ran);
  ASSERT_FALSE(answer);
  EXPECT_ERROR_CODE(answer, Code::RunStopped);
  EXPECT_FALSE(w.call([] { return Status{}; }));
}

TEST(WriterChannel, TheInlineChannelRunsOnTheCaller) {
  bool ran = false;
  EXPECT_TRUE(WriterChannel::inline_channel().call([&]() -> Status {
    ran = true;
    return {};
  }));
  EXPECT_TRUE(ran);
}

// A mailbox thread posts its messages and goes on fetching: the writer runs
// them later, in the order posted, on its own thread.
TEST(WriterChannel, PostedRequestsRunLaterInOrderWithoutTheirThreadWaiting) {
  WriterChannel w;
  const auto writer_id = std::this_thread::get_id();
  std::vector<int> ran;  // the writer's
  std::atomic<bool> posted_all{false};
  Status waited;
  std::jthread mailbox([&] {
    ThreadDone done(w);
    Posts p;
    // The first request blocks the writer until all five are posted.
    ASSERT_TRUE(w.post(p, [&]() -> Status {
      while (!posted_all) std::this_thread::sleep_for(std::chrono::milliseconds(1));
      ran.push_back(0);
      return {};
    }));
    for (int i = 1; i < 5; ++i) {
      auto n = w.post(p, [&, i]() -> Status {
        EXPECT_EQ(std::this_thread::get_id(), writer_id);
        ran.push_back(i);
        return {};
      });
      ASSERT_TRUE(n);
      EXPECT_EQ(*n, static_cast<std::uint64_t>(i + 1));
    }
    posted_all = true;  // reached while the writer is still in the first
    waited = w.wait_all(p);
  });
  w.serve(1);
  mailbox.join();
  EXPECT_TRUE(waited);
  EXPECT_EQ(ran, (std::vector<int>{0, 1, 2, 3, 4}));
}

// The bytes posted and not yet run stay within the budget: a post waits for
// room (one larger than the whole budget goes alone).
TEST(WriterChannel, APostWaitsForRoomWithinTheByteBudget) {
  WriterChannel w(100);
  std::atomic<bool> release{false};
  std::atomic<int> posted{0};
  std::jthread mailbox([&] {
    ThreadDone done(w);
    Posts p;
    ASSERT_TRUE(w.post(p, [&]() -> Status {
      while (!release) std::this_thread::sleep_for(std::chrono::milliseconds(1));
      return {};
    }, 60));
    ++posted;
    ASSERT_TRUE(w.post(p, [] { return Status{}; }, 60));  // 120 > 100: waits for the first
    ++posted;
    ASSERT_TRUE(w.post(p, [] { return Status{}; }, 500));  // alone
    ++posted;
    EXPECT_TRUE(w.wait_all(p));
  });
  std::jthread writer([&] { w.serve(1); });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(posted, 1) << "the second post waits while the first holds 60 of 100 bytes";
  release = true;
  mailbox.join();
  writer.join();
  EXPECT_EQ(posted, 3);
}

// A failed posted request (a store failure) ends its stream: what was posted
// after it does not run, and the next post and wait return its error.
TEST(WriterChannel, AFailedPostSkipsTheRestOfItsStreamAndIsReturned) {
  WriterChannel w;
  std::vector<int> ran;
  Status waited;
  Result<std::uint64_t> later = 0;
  std::jthread mailbox([&] {
    ThreadDone done(w);
    Posts p;
    std::atomic<bool> go{false};
    ASSERT_TRUE(w.post(p, [&]() -> Status {
      while (!go) std::this_thread::sleep_for(std::chrono::milliseconds(1));
      ran.push_back(1);
      return fail(Code::StoreDiskFull, "disk full");
    }));
    ASSERT_TRUE(w.post(p, [&]() -> Status {
      ran.push_back(2);
      return {};
    }));
    go = true;
    waited = w.wait_all(p);
    later = w.post(p, [&]() -> Status {
      ran.push_back(3);
      return {};
    });
  });
  w.serve(1);
  mailbox.join();
  EXPECT_EQ(ran, std::vector<int>{1});
  EXPECT_ERROR_CODE(waited, Code::StoreDiskFull);
  EXPECT_ERROR_CODE(later, Code::StoreDiskFull);
}

// stop() drops what is posted and not yet run: a wait returns the stop error.
TEST(WriterChannel, StopDropsPostedRequestsAndWaitReturns) {
  WriterChannel w;
  std::atomic<bool> ran{false};
  Posts p;
  ASSERT_TRUE(w.post(p, [&]() -> Status {
    ran = true;
    return {};
  }));
  w.stop(Error{Code::RunStopped, "stopped", {}, Scope::Run, Retry::Later});
  EXPECT_ERROR_CODE(w.wait_all(p), Code::RunStopped);
  EXPECT_FALSE(ran);
}

TEST(WriterChannel, TheInlineChannelRunsAPostAtOnce) {
  Posts p;
  bool ran = false;
  auto n = WriterChannel::inline_channel().post(p, [&]() -> Status {
    ran = true;
    return {};
  });
  ASSERT_TRUE(n);
  EXPECT_TRUE(ran);
  EXPECT_TRUE(WriterChannel::inline_channel().wait_all(p));
}

TEST(ReadMailboxesAtOnce, OutcomesInConfigurationOrderWhicheverFinishedFirst) {
  const std::vector<std::string> hosts = {"a", "b", "c", "d", "e", "f"};
  std::vector<int> commit_order;  // the writer's own record
  auto fleet = read_mailboxes_at_once(hosts, 8, 4, [&](std::size_t i, WriterChannel& w) {
    // The first ones take longest: they finish last.
    std::this_thread::sleep_for(std::chrono::milliseconds(10 * (hosts.size() - i)));
    MailboxOutcome o;
    o.result = MailboxRunResult{};
    o.result->fetched = i;
    EXPECT_TRUE(w.call([&, i]() -> Status {
      commit_order.push_back(static_cast<int>(i));
      return {};
    }));
    return o;
  });
  EXPECT_FALSE(fleet.fatal);
  ASSERT_EQ(fleet.outcomes.size(), hosts.size());
  for (std::size_t i = 0; i < hosts.size(); ++i) {
    ASSERT_TRUE(fleet.outcomes[i].result);
    EXPECT_EQ(fleet.outcomes[i].result->fetched, i);
  }
  EXPECT_EQ(commit_order.size(), hosts.size());
  EXPECT_NE(commit_order.front(), 0) << "they ran at once: the last finished first";
}

TEST(ReadMailboxesAtOnce, AFailureOfTheRunStopsTheOthersAndEveryThreadIsJoined) {
  const std::vector<std::string> hosts(20, "h");
  std::atomic<int> read{0};
  auto fleet = read_mailboxes_at_once(hosts, 4, 4, [&](std::size_t i, WriterChannel& w) {
    ++read;
    MailboxOutcome o;
    if (i == 1) {
      o.fatal = Error{Code::StoreIoError, "disk full", {}, Scope::Run, Retry::Never};
      return o;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    auto st = w.call([] { return Status{}; });
    if (!st) o.fatal = st.error();
    else o.result = MailboxRunResult{};
    return o;
  });
  ASSERT_TRUE(fleet.fatal);
  EXPECT_EQ(fleet.fatal->code, Code::StoreIoError);
  EXPECT_LT(read.load(), 20) << "no mailbox is started after the run failed";
}

TEST(ReadMailboxesAtOnce, AnExceptionOnAMailboxThreadFailsTheRunInsteadOfEndingTheProcess) {
  auto fleet = read_mailboxes_at_once({"a", "b"}, 2, 4, [&](std::size_t i, WriterChannel&) -> MailboxOutcome {
    if (i == 0) throw std::runtime_error("boom");
    return MailboxOutcome{};
  });
  ASSERT_TRUE(fleet.fatal);
  EXPECT_EQ(fleet.fatal->code, Code::RunException);
}

}  // namespace
}  // namespace crmr
