// OrderedWorkQueue: results in push order whatever the workers' timing, the
// bounds on items and bytes in flight, the consumer on the caller's thread,
// and a clean stop on a consumer error, an exception, cancel or destruction.
#include "core/base/ordered_work_queue.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/result_matchers.h"

namespace crmr {
namespace {

using namespace std::chrono_literals;

// A small, uneven amount of work so the workers finish out of order.
int slow_square(int x) {
  std::this_thread::sleep_for(std::chrono::microseconds((x * 7919) % 300));
  return x * x;
}

TEST(OrderedWorkQueue, HandsResultsOverInPushOrderWhateverTheWorkersTiming) {
  for (std::size_t workers : {0u, 1u, 2u, 4u}) {
    std::vector<int> got;
    OrderedWorkQueue<int, int> q({workers, 16, 1u << 20}, slow_square, [&](int r) -> Status {
      got.push_back(r);
      return {};
    });
    for (int i = 0; i < 500; ++i) ASSERT_TRUE(q.push(i, 1));
    ASSERT_TRUE(q.drain());
    ASSERT_EQ(got.size(), 500u) << workers << " workers";
    for (int i = 0; i < 500; ++i) ASSERT_EQ(got[i], i * i) << workers << " workers";
    EXPECT_EQ(q.in_flight(), 0u);
  }
}

TEST(OrderedWorkQueue, WithoutWorkersEachItemIsConsumedBeforePushReturns) {
  const auto caller = std::this_thread::get_id();
  int consumed = 0;
  OrderedWorkQueue<int, int> q(
      {0, 4, 100},
      [&](int x) {
        EXPECT_EQ(std::this_thread::get_id(), caller);
        return x;
      },
      [&](int x) -> Status {
        consumed = x;
        return {};
      });
  EXPECT_EQ(q.workers(), 0u);
  for (int i = 1; i <= 3; ++i) {
    ASSERT_TRUE(q.push(i, 1000));  // a cost over max_bytes changes nothing inline
    EXPECT_EQ(consumed, i);
  }
}

TEST(OrderedWorkQueue, ConsumesOnTheCallersThreadAndWorksOnOthers) {
  const auto caller = std::this_thread::get_id();
  std::atomic<int> on_caller{0};
  OrderedWorkQueue<int, std::thread::id> q(
      {2, 8, 1u << 20},
      [&](int) {
        std::this_thread::sleep_for(100us);
        return std::this_thread::get_id();
      },
      [&](std::thread::id worker) -> Status {
        EXPECT_EQ(std::this_thread::get_id(), caller);
        if (worker == caller) ++on_caller;
        return {};
      });
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(q.push(i));
  ASSERT_TRUE(q.drain());
  EXPECT_EQ(on_caller, 0);
}

// Two items that each wait for the other can only finish when two workers
// run at once (bounded wait: a failure here is a missed meeting, not a hang).
TEST(OrderedWorkQueue, WorkersRunConcurrently) {
  std::mutex m;
  std::condition_variable cv;
  int arrived = 0;
  OrderedWorkQueue<int, bool> q(
      {2, 8, 100},
      [&](int) {
        std::unique_lock lk(m);
        ++arrived;
        cv.notify_all();
        return cv.wait_for(lk, 5s, [&] { return arrived >= 2; });
      },
      [&](bool met) -> Status {
        EXPECT_TRUE(met);
        return {};
      });
  ASSERT_TRUE(q.push(1));
  ASSERT_TRUE(q.push(2));
  ASSERT_TRUE(q.drain());
}

// In flight = pushed and not yet consumed: counted by the test itself.
TEST(OrderedWorkQueue, KeepsItemsAndBytesInFlightWithinTheBounds) {
  std::mt19937 rng(7);
  std::size_t pushed_items = 0, pushed_bytes = 0, max_items = 0, max_bytes = 0;
  std::vector<std::size_t> costs;
  std::size_t next = 0;
  OrderedWorkQueue<std::size_t, std::size_t> q(
      {3, 5, 1000}, [](std::size_t c) { return c; },
      [&](std::size_t c) -> Status {
        EXPECT_EQ(c, costs[next++]);
        --pushed_items;
        pushed_bytes -= c;
        return {};
      });
  for (int i = 0; i < 2000; ++i) {
    std::size_t cost = rng() % 400;
    if (i % 97 == 0) cost = 2500;  // alone over the byte bound
    costs.push_back(cost);
    ++pushed_items;  // before push(): it may consume this very item
    pushed_bytes += cost;
    ASSERT_TRUE(q.push(cost, cost));
    max_items = std::max(max_items, pushed_items);
    if (cost <= 1000) {
      max_bytes = std::max(max_bytes, pushed_bytes);
    } else {
      EXPECT_LE(pushed_items, 1u) << "an item over the byte bound goes alone";
    }
    EXPECT_EQ(q.in_flight(), pushed_items);
  }
  ASSERT_TRUE(q.drain());
  EXPECT_LE(max_items, 5u);
  EXPECT_LE(max_bytes, 1000u);
  EXPECT_EQ(next, costs.size());
}

TEST(OrderedWorkQueue, AConsumerErrorStopsTheQueueAndIsReturnedFromThenOn) {
  for (std::size_t workers : {0u, 2u}) {
    std::vector<int> got;
    std::atomic<int> worked{0};
    OrderedWorkQueue<int, int> q(
        {workers, 4, 100},
        [&](int x) {
          ++worked;
          return x;
        },
        [&](int x) -> Status {
          if (x == 10) return fail(Code::StoreDiskFull, "disk full", Scope::Run, Retry::Never);
          got.push_back(x);
          return {};
        });
    Status last;
    int pushes = 0;
    while (pushes < 100 && last) last = q.push(pushes++);
    ASSERT_FALSE(last) << workers << " workers";
    EXPECT_ERROR_CODE(last, Code::StoreDiskFull);
    // Item 10 is consumed at the latest when item 14 needs its place.
    EXPECT_LE(pushes, 10 + 4 + 1) << "the failure is told within the bound";
    auto again = q.push(1000);
    ASSERT_FALSE(again);
    EXPECT_ERROR_CODE(again, Code::StoreDiskFull);
    auto drained = q.drain();
    ASSERT_FALSE(drained);
    EXPECT_ERROR_CODE(drained, Code::StoreDiskFull);
    ASSERT_EQ(got.size(), 10u) << "every item before the failing one, none after";
    for (int k = 0; k < 10; ++k) EXPECT_EQ(got[k], k);
  }
}

TEST(OrderedWorkQueue, AWorkersExceptionReachesTheConsumerInOrder) {
  std::vector<int> got;
  OrderedWorkQueue<int, int> q(
      {2, 8, 100},
      [](int x) {
        if (x == 5) throw std::runtime_error("bad item");
        return x;
      },
      [&](int x) -> Status {
        got.push_back(x);
        return {};
      });
  bool thrown = false;
  try {
    for (int i = 0; i < 20; ++i) ASSERT_TRUE(q.push(i));
    ASSERT_TRUE(q.drain());
  } catch (const std::runtime_error& e) {
    thrown = true;
    EXPECT_STREQ(e.what(), "bad item");
  }
  EXPECT_TRUE(thrown);
  EXPECT_EQ(got, (std::vector<int>{0, 1, 2, 3, 4}));
  EXPECT_FALSE(q.push(99));
}

TEST(OrderedWorkQueue, CancelDropsWhatWasNotConsumed) {
  std::vector<int> got;
  OrderedWorkQueue<int, int> q({2, 64, 1000}, slow_square, [&](int x) -> Status {
    got.push_back(x);
    return {};
  });
  for (int i = 0; i < 30; ++i) ASSERT_TRUE(q.push(i));
  const std::size_t before = got.size();
  q.cancel(Error{Code::RunStopped, "interrupted", {}, Scope::Run, Retry::Later});
  EXPECT_EQ(q.in_flight(), 0u);
  auto d = q.drain();
  ASSERT_FALSE(d);
  EXPECT_ERROR_CODE(d, Code::RunStopped);
  EXPECT_EQ(got.size(), before);
}

// Destroying a queue with work still queued returns once the items being
// worked on are done; nothing more is consumed.
TEST(OrderedWorkQueue, DestructionWithWorkQueuedJoinsPromptly) {
  std::atomic<int> consumed{0};
  const auto t0 = std::chrono::steady_clock::now();
  {
    OrderedWorkQueue<int, int> q(
        {2, 100, 1u << 20},
        [](int x) {
          std::this_thread::sleep_for(20ms);
          return x;
        },
        [&](int) -> Status {
          ++consumed;
          return {};
        });
    for (int i = 0; i < 100; ++i) ASSERT_TRUE(q.push(i));
  }
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 1s) << "100 items of 20 ms were not all worked";
  EXPECT_LT(consumed.load(), 100);
}

// A consumer that pushed or drained would consume later items before its
// own is done: refused, whatever the number of workers.
TEST(OrderedWorkQueue, TheConsumerCannotPushOrDrain) {
  for (std::size_t workers : {0u, 2u}) {
    OrderedWorkQueue<int, int>* self = nullptr;
    std::vector<std::string> inner;
    OrderedWorkQueue<int, int> q({workers, 4, 100}, [](int x) { return x; }, [&](int x) -> Status {
      auto pushed = self->push(x + 100);
      auto drained = self->drain();
      inner.push_back(pushed ? "ok" : std::string(pushed.error().code_name()));
      inner.push_back(drained ? "ok" : std::string(drained.error().code_name()));
      return {};
    });
    self = &q;
    ASSERT_TRUE(q.push(1));
    ASSERT_TRUE(q.drain());
    EXPECT_EQ(inner, (std::vector<std::string>{"queue.reentrant", "queue.reentrant"}));
  }
}

// Move-only items and results (raw messages, parsed ones) pass through.
TEST(OrderedWorkQueue, CarriesMoveOnlyValues) {
  std::string joined;
  OrderedWorkQueue<std::unique_ptr<std::string>, std::unique_ptr<std::string>> q(
      {2, 4, 100},
      [](std::unique_ptr<std::string> s) {
        *s += ";";
        return s;
      },
      [&](std::unique_ptr<std::string> s) -> Status {
        joined += *s;
        return {};
      });
  for (const char* w : {"a", "b", "c", "d", "e"}) ASSERT_TRUE(q.push(std::make_unique<std::string>(w), 1));
  ASSERT_TRUE(q.drain());
  EXPECT_EQ(joined, "a;b;c;d;e;");
}

}  // namespace
}  // namespace crmr
