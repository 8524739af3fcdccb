#include "core/engine/writer_channel.h"

#include <exception>

namespace crmr {

WriterChannel& WriterChannel::inline_channel() {
  static WriterChannel channel(InlineTag{});
  return channel;
}

Status WriterChannel::call(const Request& r) {
  if (inline_) return r();
  Pending p{&r, std::nullopt};
  std::unique_lock lk(mu_);
  if (stopped_) return fail(*stopped_);
  waiting_.push_back(Entry{&p, {}, nullptr, 0});
  to_writer_.notify_one();
  answered_.wait(lk, [&] { return p.answer.has_value(); });
  return std::move(*p.answer);
}

Result<std::uint64_t> WriterChannel::post(Posts& p, Request r, std::size_t cost) {
  if (inline_) {
    if (p.failed_) return fail(*p.failed_);
    ++p.posted_;
    ++p.done_;
    if (auto st = r(); !st) {
      p.failed_ = st.error();
      return fail(st.error());
    }
    return p.posted_;
  }
  std::unique_lock lk(mu_);
  answered_.wait(lk, [&] {
    return stopped_ || p.failed_ || posted_bytes_ == 0 || posted_bytes_ + cost <= posted_budget_;
  });
  if (p.failed_) return fail(*p.failed_);
  if (stopped_) return fail(*stopped_);
  waiting_.push_back(Entry{nullptr, std::move(r), &p, cost});
  posted_bytes_ += cost;
  ++p.posted_;
  to_writer_.notify_one();
  return p.posted_;
}

Status WriterChannel::wait(Posts& p, std::uint64_t n) {
  if (inline_) return p.failed_ ? Status(fail(*p.failed_)) : Status();
  std::unique_lock lk(mu_);
  answered_.wait(lk, [&] { return p.done_ >= n; });
  if (p.failed_) return fail(*p.failed_);
  return {};
}

void WriterChannel::done_posted(Entry& e, const Status& answer) {
  posted_bytes_ -= e.cost;
  ++e.posts->done_;
  if (!answer && !e.posts->failed_) e.posts->failed_ = answer.error();
}

void WriterChannel::serve(std::size_t threads) {
  std::unique_lock lk(mu_);
  for (;;) {
    to_writer_.wait(lk, [&] { return !waiting_.empty() || finished_ >= threads; });
    if (waiting_.empty()) return;
    Entry job = std::move(waiting_.front());
    waiting_.pop_front();
    Status answer;
    // A stream whose earlier request failed runs no more of its requests.
    std::optional<Error> skip;
    if (job.posts && job.posts->failed_) skip = job.posts->failed_;
    lk.unlock();
    try {
      if (skip) answer = fail(*skip);
      else answer = job.call ? (*job.call->request)() : job.posted();
      job.posted = nullptr;  // what it captured goes now, outside the lock
    } catch (const std::exception& e) {
      answer = fail(Code::RunException, std::string("the run failed: ") + e.what());
    } catch (...) {
      answer = fail(Code::RunException, "the run failed");
    }
    lk.lock();
    if (!answer && answer.error().code == Code::RunException && !stopped_) stopped_ = answer.error();
    if (job.call) job.call->answer = std::move(answer);
    else done_posted(job, answer);
    answered_.notify_all();
  }
}

void WriterChannel::thread_done() {
  std::lock_guard lk(mu_);
  ++finished_;
  to_writer_.notify_all();
}

void WriterChannel::stop(Error why) {
  std::lock_guard lk(mu_);
  if (!stopped_) stopped_ = std::move(why);
  // Requests not yet taken are answered now: their threads may be leaving.
  for (Entry& e : waiting_) {
    if (e.call) e.call->answer = fail(*stopped_);
    else done_posted(e, fail(*stopped_));
  }
  waiting_.clear();
  answered_.notify_all();
  to_writer_.notify_all();
}

bool WriterChannel::stopped() const {
  std::lock_guard lk(mu_);
  return stopped_.has_value();
}

}  // namespace crmr
