// WriterChannel: hands work from mailbox threads to the one thread that owns
// the store and the pipeline (the single writer), and waits for it.
//
// A `run` over many mailboxes reads each mailbox on a thread of its own (its
// connection lives there), but everything that touches the database, the
// pipeline or the report (a cursor read, a message's decision and commit, a
// cursor save) is a request the writer runs, one at a time, while the mailbox
// thread waits for its answer. So a mailbox disposes of its messages only
// after the writer has committed them, and SQLite keeps a single writer.
//
// A mailbox thread need not wait for every request: post() queues one and
// returns (a message to decide, a batch to commit), so the thread fetches the
// next messages while the writer works through what it posted. The requests
// of one thread's Posts run in the order posted, as its calls do; wait()
// blocks until a given one has run. The bytes posted and not yet run, by all
// threads together, stay within the channel's budget: post() waits for room.
//
// Without a writer thread (inline_channel()), call() and post() run the
// request at once on the caller's thread: the sequential run, unchanged.
//
// stop(why): the writer stops (the store failed, or the run is ending);
// requests not yet run, and every later one, return `why` without running.
// A posted request that fails (or is dropped by stop()) fails its Posts: the
// ones posted after it do not run, and post() and wait() return that error.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>

#include "core/result.h"

namespace crmr {

// The requests one mailbox thread posted: how many, how many have run, and
// the first failure. Must outlive them: wait() for all before it goes.
class Posts {
 public:
  std::uint64_t posted() const { return posted_; }

 private:
  friend class WriterChannel;
  std::uint64_t posted_ = 0;  // the posting thread's
  std::uint64_t done_ = 0;    // run or dropped; under the channel's mutex
  std::optional<Error> failed_;
};

class WriterChannel {
 public:
  using Request = std::function<Status()>;
  static constexpr std::size_t kDefaultPostedBytes = 16u << 20;

  // A channel whose requests run on the calling thread.
  static WriterChannel& inline_channel();
  // A channel served by the thread that calls serve(); posted requests not
  // yet run hold at most `posted_bytes` (one larger request alone may).
  explicit WriterChannel(std::size_t posted_bytes = kDefaultPostedBytes)
      : posted_budget_(posted_bytes) {}
  WriterChannel(const WriterChannel&) = delete;
  WriterChannel& operator=(const WriterChannel&) = delete;

  // Runs `r` on the writer and returns its status (inline: on this thread).
  // After stop(), returns the stop error without running `r`.
  Status call(const Request& r);

  // Queues `r` (holding `cost` bytes until it has run) as the next request
  // of `p`, and returns its number (1, 2, ...) without waiting for it, after
  // waiting for room within the byte budget. Returns p's first failure (or
  // the stop error) instead, without queueing. Inline: runs `r` now.
  Result<std::uint64_t> post(Posts& p, Request r, std::size_t cost = 0);
  // Waits until p's requests up to number `n` have run (or were dropped);
  // returns p's first failure, if any.
  Status wait(Posts& p, std::uint64_t n);
  // Waits for every request of `p`.
  Status wait_all(Posts& p) { return wait(p, p.posted()); }

  // The writer's loop: runs requests in the order they arrive until
  // `threads` threads have called thread_done() and no request is waiting.
  // A request that throws fails with "run.exception" and stops the channel.
  void serve(std::size_t threads);
  // A mailbox thread calls this last (ThreadDone does it on every path).
  void thread_done();

  // Fails every waiting and later request with `why` (the first stop wins).
  void stop(Error why);
  bool stopped() const;

 private:
  struct InlineTag {};
  explicit WriterChannel(InlineTag) : inline_(true) {}

  // A call()'s request, borrowed, and where its answer goes.
  struct Pending {
    const Request* request = nullptr;
    std::optional<Status> answer;
  };
  // A request waiting for the writer: a call() or a post().
  struct Entry {
    Pending* call = nullptr;  // set: a call()
    Request posted;           // else: a post() of `posts`
    Posts* posts = nullptr;
    std::size_t cost = 0;
  };
  // Counts a posted entry as run (or dropped) with `answer`. Locked.
  void done_posted(Entry& e, const Status& answer);

  bool inline_ = false;
  std::size_t posted_budget_ = kDefaultPostedBytes;
  std::size_t posted_bytes_ = 0;  // of posted entries not yet run
  mutable std::mutex mu_;
  std::condition_variable to_writer_;  // a request arrived, or stop
  std::condition_variable answered_;   // a request was answered, or stop
  std::deque<Entry> waiting_;
  std::size_t finished_ = 0;
  std::optional<Error> stopped_;
};

// Calls thread_done() when the mailbox thread's function ends, on any path.
class ThreadDone {
 public:
  explicit ThreadDone(WriterChannel& c) : c_(c) {}
  ~ThreadDone() { c_.thread_done(); }
  ThreadDone(const ThreadDone&) = delete;
  ThreadDone& operator=(const ThreadDone&) = delete;

 private:
  WriterChannel& c_;
};

}  // namespace crmr
