// OrderedWorkQueue<In, Out>: a bounded pool of worker threads that apply one
// function to items, and one consumer that receives the results strictly in
// the order the items were pushed.
//
// The shape of every parallel part of a run: the work that needs no shared
// state (parsing a message, unwrapping it; fetching a mailbox's batch on its
// own connection) runs on the workers, while everything that must happen once
// and in order (the decision against the cache, the database transaction, the
// report, a disposition after its commit) stays in the consumer, which runs
// on the thread that calls push() and drain(): the single writer. So the
// consumer needs no locking of its own, and a run with workers gives exactly
// the results, report order and database contents of a run without.
//
// Bounds: at most `max_items` items, and at most `max_bytes` of their cost
// (the caller's measure, e.g. a message's size), are pushed and not yet
// consumed: queued, being worked on, or done and waiting for their turn.
// push() makes room by consuming (waiting for the oldest item when it is not
// done yet), so memory stays flat whatever the input's size. An item whose
// cost alone exceeds max_bytes is admitted when nothing else is in flight.
//
// Failure and shutdown: the first consumer error (or cancel()) fails the
// queue. Items not yet consumed are dropped (those being worked on finish and
// their results are discarded), and every later push() or drain() returns
// that error. An exception thrown by `work` reaches the consumer's thread in
// order, at the item that threw, after the queue failed. The destructor
// cancels and joins the workers.
//
// With workers == 0 there is no thread at all: push() applies `work` and
// consumes the result before it returns, the single-threaded behaviour.
//
// push(), drain() and cancel() are called from one thread (the consumer's),
// never from inside the consumer (that would consume later items before the
// current one is done: refused with "queue.reentrant"). `work` runs
// concurrently with itself and with the consumer, so it must touch no state
// that those share without synchronisation.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "core/result.h"

namespace crmr {

struct WorkQueueLimits {
  std::size_t workers = 0;                // threads; 0: everything inline
  std::size_t max_items = 64;             // pushed and not yet consumed
  std::size_t max_bytes = 16u << 20;      // their summed cost
};

template <class In, class Out>
class OrderedWorkQueue {
 public:
  using Work = std::function<Out(In)>;
  using Consume = std::function<Status(Out)>;

  OrderedWorkQueue(WorkQueueLimits limits, Work work, Consume consume)
      : limits_(limits), work_(std::move(work)), consume_(std::move(consume)) {
    if (limits_.max_items == 0) limits_.max_items = 1;
    threads_.reserve(limits_.workers);
    for (std::size_t i = 0; i < limits_.workers; ++i) threads_.emplace_back([this] { worker(); });
  }
  ~OrderedWorkQueue() {
    {
      std::lock_guard lk(mu_);
      stop_ = true;
      drop_locked();
    }
    work_cv_.notify_all();
    for (auto& t : threads_) t.join();
  }
  OrderedWorkQueue(const OrderedWorkQueue&) = delete;
  OrderedWorkQueue& operator=(const OrderedWorkQueue&) = delete;

  // Adds `item` (of `cost`, in the unit of max_bytes). May consume results
  // first to stay within the bounds, and consumes those ready afterwards.
  // Returns the first consumer error (the queue has failed then).
  Status push(In item, std::size_t cost = 0) {
    if (consuming_) return reentrant();
    if (threads_.empty()) {
      if (failed_) return fail(*failed_);
      return consume_checked(work_(std::move(item)));
    }
    std::unique_lock lk(mu_);
    if (failed_) return fail(*failed_);
    while (!slots_.empty() &&
           (slots_.size() >= limits_.max_items || bytes_ + cost > limits_.max_bytes)) {
      if (auto st = consume_head(lk, true); !st) return st;
    }
    slots_.emplace_back();
    slots_.back().cost = cost;
    bytes_ += cost;
    jobs_.emplace_back(next_seq_++, std::move(item));
    work_cv_.notify_one();
    while (!slots_.empty() && slots_.front().done) {
      if (auto st = consume_head(lk, false); !st) return st;
    }
    return {};
  }

  // Consumes every item pushed so far, in order, waiting for the workers.
  Status drain() {
    if (consuming_) return reentrant();
    if (threads_.empty()) return failed_ ? Status(fail(*failed_)) : Status();
    std::unique_lock lk(mu_);
    if (failed_) return fail(*failed_);
    while (!slots_.empty()) {
      if (auto st = consume_head(lk, true); !st) return st;
    }
    return {};
  }

  // Fails the queue with `why`: nothing more is consumed or accepted.
  void cancel(Error why) {
    std::lock_guard lk(mu_);
    if (!failed_) failed_ = std::move(why);
    drop_locked();
  }

  // Items pushed and not yet consumed.
  std::size_t in_flight() const {
    std::lock_guard lk(mu_);
    return slots_.size();
  }
  std::size_t workers() const { return threads_.size(); }

 private:
  struct Slot {
    std::optional<Out> out;
    std::exception_ptr thrown;
    std::size_t cost = 0;
    bool done = false;
  };

  static Status reentrant() {
    return fail(Code::QueueReentrant, "the consumer of an ordered work queue pushed or drained it");
  }

  // Calls the consumer, marked as consuming (the flag is only read and
  // written by the consumer's thread).
  Status call_consumer(Out&& out) {
    consuming_ = true;
    struct Reset {
      bool& flag;
      ~Reset() { flag = false; }
    } reset{consuming_};
    return consume_(std::move(out));
  }

  Status consume_checked(Out out) {
    Status st = call_consumer(std::move(out));
    if (!st) {
      std::lock_guard lk(mu_);
      if (!failed_) failed_ = st.error();
      drop_locked();
    }
    return st;
  }

  // Takes the oldest item (waiting for it when `wait`) and consumes it with
  // the lock released. Returns with the lock held.
  Status consume_head(std::unique_lock<std::mutex>& lk, bool wait) {
    if (wait) done_cv_.wait(lk, [&] { return slots_.empty() || slots_.front().done; });
    if (slots_.empty() || !slots_.front().done) return {};
    Slot s = std::move(slots_.front());
    slots_.pop_front();
    ++head_;
    bytes_ -= s.cost;
    if (s.thrown) {
      if (!failed_) failed_ = Error{Code::QueueException, "a worker failed", {}, Scope::Run, Retry::Never};
      drop_locked();
      std::rethrow_exception(s.thrown);
    }
    lk.unlock();
    Status st;
    try {
      st = call_consumer(std::move(*s.out));
    } catch (...) {
      lk.lock();
      if (!failed_) failed_ = Error{Code::QueueException, "the consumer failed", {}, Scope::Run, Retry::Never};
      drop_locked();
      throw;
    }
    lk.lock();
    if (!st) {
      if (!failed_) failed_ = st.error();
      drop_locked();
    }
    return st;
  }

  // Forgets every item not consumed; results of items being worked on are
  // discarded when they arrive (their sequence number is below head_).
  void drop_locked() {
    jobs_.clear();
    slots_.clear();
    head_ = next_seq_;
    bytes_ = 0;
    done_cv_.notify_all();
  }

  void worker() {
    std::unique_lock lk(mu_);
    for (;;) {
      work_cv_.wait(lk, [&] { return stop_ || !jobs_.empty(); });
      if (stop_) return;
      auto [seq, item] = std::move(jobs_.front());
      jobs_.pop_front();
      lk.unlock();
      std::optional<Out> out;
      std::exception_ptr thrown;
      try {
        out.emplace(work_(std::move(item)));
      } catch (...) {
        thrown = std::current_exception();
      }
      lk.lock();
      if (seq < head_) {  // dropped meanwhile: free the result outside the lock
        lk.unlock();
        out.reset();
        lk.lock();
        continue;
      }
      Slot& s = slots_[seq - head_];
      s.out = std::move(out);
      s.thrown = thrown;
      s.done = true;
      if (seq == head_) done_cv_.notify_one();
    }
  }

  WorkQueueLimits limits_;
  Work work_;
  Consume consume_;
  mutable std::mutex mu_;
  std::condition_variable work_cv_;  // workers: a job to do, or stop
  std::condition_variable done_cv_;  // consumer: the oldest item is done
  std::deque<std::pair<std::uint64_t, In>> jobs_;  // pushed, not yet taken by a worker
  std::deque<Slot> slots_;                         // pushed, not consumed; front is head_
  std::uint64_t head_ = 0;                         // sequence number of slots_.front()
  std::uint64_t next_seq_ = 0;
  std::size_t bytes_ = 0;
  bool stop_ = false;
  bool consuming_ = false;  // the consumer is running (its thread only)
  std::optional<Error> failed_;
  std::vector<std::thread> threads_;  // last: started after everything above exists
};

}  // namespace crmr
