#include "core/engine/writer_channel.h"

#include <exception>

namespace crmr {

WriterChannel& WriterChannel::inline_channel() {
  static WriterChannel channel(true);
  return channel;
}

Status WriterChannel::call(const Request& r) {
  if (inline_) return r();
  Pending p{&r, std::nullopt};
  std::unique_lock lk(mu_);
  if (stopped_) return fail(*stopped_);
  waiting_.push_back(&p);
  to_writer_.notify_one();
  answered_.wait(lk, [&] { return p.answer.has_value(); });
  return std::move(*p.answer);
}

void WriterChannel::serve(std::size_t threads) {
  std::unique_lock lk(mu_);
  for (;;) {
    to_writer_.wait(lk, [&] { return !waiting_.empty() || finished_ >= threads; });
    if (waiting_.empty()) return;
    Pending* p = waiting_.front();
    waiting_.pop_front();
    Status answer;
    lk.unlock();
    try {
      answer = (*p->request)();
    } catch (const std::exception& e) {
      answer = fail(Code::RunException, std::string("the run failed: ") + e.what());
    } catch (...) {
      answer = fail(Code::RunException, "the run failed");
    }
    lk.lock();
    if (!answer && answer.error().code == Code::RunException && !stopped_) stopped_ = answer.error();
    p->answer = std::move(answer);
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
  for (Pending* p : waiting_) p->answer = fail(*stopped_);
  waiting_.clear();
  answered_.notify_all();
  to_writer_.notify_all();
}

bool WriterChannel::stopped() const {
  std::lock_guard lk(mu_);
  return stopped_.has_value();
}

}  // namespace crmr
