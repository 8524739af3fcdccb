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
// Without a writer thread (inline_channel()), call() runs the request at once on the
// caller's thread: the sequential run, unchanged.
//
// stop(why): the writer stops (the store failed, or the run is ending);
// requests not yet run, and every later one, return `why` without running.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>

#include "core/result.h"

namespace crmr {

class WriterChannel {
 public:
  using Request = std::function<Status()>;

  // A channel whose requests run on the calling thread.
  static WriterChannel& inline_channel();
  // A channel served by the thread that calls serve().
  WriterChannel() = default;
  WriterChannel(const WriterChannel&) = delete;
  WriterChannel& operator=(const WriterChannel&) = delete;

  // Runs `r` on the writer and returns its status (inline: on this thread).
  // After stop(), returns the stop error without running `r`.
  Status call(const Request& r);

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
  explicit WriterChannel(bool inline_calls) : inline_(inline_calls) {}

  struct Pending {
    const Request* request = nullptr;
    std::optional<Status> answer;
  };

  bool inline_ = false;
  mutable std::mutex mu_;
  std::condition_variable to_writer_;  // a request arrived, or stop
  std::condition_variable answered_;   // a request was answered, or stop
  std::deque<Pending*> waiting_;
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
