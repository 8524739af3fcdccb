// MailboxScheduler: which configured mailbox a mailbox thread reads next.
//
// Mailboxes are handed out in configuration order, skipping (for now) one
// whose server already has `per_host` connections of this run open, so no
// host gets more than max_connections_per_server at once and the threads
// keep busy with other servers meanwhile. A thread that finds every remaining
// mailbox's server at its limit waits for a connection to close.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace crmr {

// The host of a mailbox URL ("imaps://Mail.Example.com:993/x" ->
// "mail.example.com"; "[::1]" -> "::1"), lower case; the URL itself when it
// has no "://".
std::string url_host(const std::string& url);

class MailboxScheduler {
 public:
  // `hosts`: each mailbox's host, in configuration order.
  MailboxScheduler(std::vector<std::string> hosts, std::size_t per_host);

  // The next mailbox to read (its index), waiting while every remaining one's
  // host is at its limit; nullopt when none remains or after stop().
  std::optional<std::size_t> next();
  // Mailbox `i` closed its connection: its host has a free slot.
  void done(std::size_t i);
  // Hands out nothing more (the run is stopping).
  void stop();

 private:
  std::vector<std::string> hosts_;
  std::size_t per_host_;
  std::mutex mu_;
  std::condition_variable freed_;
  std::vector<bool> taken_;
  std::size_t left_;
  std::map<std::string, std::size_t> open_;
  bool stopped_ = false;
};

}  // namespace crmr
