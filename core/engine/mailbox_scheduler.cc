#include "core/engine/mailbox_scheduler.h"

#include <algorithm>

#include "core/base/ascii.h"

namespace crmr {

std::string url_host(const std::string& url) {
  auto scheme = url.find("://");
  if (scheme == std::string::npos) return ascii_lower(url);
  std::string rest = url.substr(scheme + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (auto at = rest.rfind('@'); at != std::string::npos) rest = rest.substr(at + 1);
  if (rest.starts_with('[')) return ascii_lower(rest.substr(1, rest.find(']') - 1));
  return ascii_lower(rest.substr(0, rest.find(':')));
}

MailboxScheduler::MailboxScheduler(std::vector<std::string> hosts, std::size_t per_host)
    : hosts_(std::move(hosts)),
      per_host_(std::max<std::size_t>(per_host, 1)),
      taken_(hosts_.size(), false),
      left_(hosts_.size()) {}

std::optional<std::size_t> MailboxScheduler::next() {
  std::unique_lock lk(mu_);
  for (;;) {
    if (stopped_ || left_ == 0) return std::nullopt;
    for (std::size_t i = 0; i < hosts_.size(); ++i) {
      if (taken_[i] || open_[hosts_[i]] >= per_host_) continue;
      taken_[i] = true;
      --left_;
      ++open_[hosts_[i]];
      if (left_ == 0) freed_.notify_all();  // waiting threads: nothing left for them
      return i;
    }
    freed_.wait(lk);
  }
}

void MailboxScheduler::done(std::size_t i) {
  std::lock_guard lk(mu_);
  if (open_[hosts_[i]] > 0) --open_[hosts_[i]];
  freed_.notify_all();
}

void MailboxScheduler::stop() {
  std::lock_guard lk(mu_);
  stopped_ = true;
  freed_.notify_all();
}

}  // namespace crmr
