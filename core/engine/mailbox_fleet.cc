#include "core/engine/mailbox_fleet.h"

#include <algorithm>
#include <exception>
#include <mutex>
#include <thread>

#include "core/engine/mailbox_scheduler.h"

namespace crmr {

FleetResult read_mailboxes_at_once(
    const std::vector<std::string>& hosts, std::size_t threads, std::size_t per_host,
    const std::function<MailboxOutcome(std::size_t, WriterChannel&)>& read) {
  FleetResult out;
  out.outcomes.resize(hosts.size());
  threads = std::clamp<std::size_t>(threads, 1, std::max<std::size_t>(hosts.size(), 1));
  MailboxScheduler scheduler(hosts, per_host);
  std::mutex fatal_mu;
  WriterChannel writer;
  auto first_fatal = [&](const Error& e) {
    {
      std::lock_guard lk(fatal_mu);
      if (!out.fatal) out.fatal = e;
    }
    scheduler.stop();
    writer.stop(e);
  };
  auto mailbox_thread = [&] {
    ThreadDone done(writer);
    while (auto i = scheduler.next()) {
      MailboxOutcome& o = out.outcomes[*i];
      try {
        o = read(*i, writer);
      } catch (const std::exception& e) {
        o.fatal = Error{Code::RunException, std::string("the run failed: ") + e.what(), {},
                        Scope::Run, Retry::Never};
      } catch (...) {
        o.fatal = Error{Code::RunException, "the run failed", {}, Scope::Run, Retry::Never};
      }
      o.started = true;
      scheduler.done(*i);
      if (o.fatal) first_fatal(*o.fatal);
    }
  };
  {
    // Destroyed in reverse order: the guard stops the channel (every waiting
    // call returns) and the scheduler, then the threads are joined, on every
    // path out of this block.
    std::vector<std::jthread> pool;
    struct StopAll {
      WriterChannel& writer;
      MailboxScheduler& scheduler;
      ~StopAll() {
        scheduler.stop();
        writer.stop(Error{Code::RunStopped, "the run stopped", {}, Scope::Run, Retry::Later});
      }
    } stop_all{writer, scheduler};
    pool.reserve(threads);
    std::size_t started = 0;
    try {
      for (; started < threads; ++started) pool.emplace_back(mailbox_thread);
    } catch (...) {
      // Could not start another thread: those running do the work.
    }
    writer.serve(started);
  }
  return out;
}

}  // namespace crmr
