// ScriptedServer: a table-driven line server on 127.0.0.1 for protocol
// quirks a packaged server cannot be made to show (an APOP banner, GSSAPI
// offered first, [LOGIN-DELAY], an "INBOX." namespace ...). Usable for IMAP
// and POP3: it sends a greeting on every connection, then answers each
// client line with the reply of the first rule whose `match` the line starts
// with (IMAP: the line after its tag; "{tag}" in a reply becomes the tag).
// An empty `match` matches any line (SASL responses, or a catch-all). A rule
// marked `once` is used up by its first match, so a later rule with the same
// match answers the next time. A rule may depend on the connection's state:
// `when` names a flag that must be set ("utf8") or unset ("!utf8"), `sets`
// sets one (flags start unset on each connection), e.g. a POP3 server that
// serves another message once the client sent UTF8. Connections are served one after another
// until the server is destroyed; every client line is recorded for the test
// to check (e.g. that no AUTHENTICATE GSSAPI or APOP was sent).
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace crmr {

struct ScriptRule {
  std::string match;  // prefix of the line (IMAP: after the tag); empty: any line
  std::string reply;  // sent as is, "{tag}" replaced; include the CRLFs
  bool once = false;  // used up by its first match
  std::string when = {};  // "" always; "flag": only when set; "!flag": only when unset
  std::string sets = {};  // a flag of the connection this rule sets
};

class ScriptedServer {
 public:
  enum class Protocol { Imap, Pop3 };

  ScriptedServer(Protocol p, std::string greeting, std::vector<ScriptRule> rules)
      : protocol_(p), greeting_(std::move(greeting)), rules_(std::move(rules)) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    ::listen(listen_fd_, 4);
    socklen_t len = sizeof a;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~ScriptedServer() {
    stop_ = true;
    thread_.join();
    ::close(listen_fd_);
  }

  std::string url() const {
    return std::string(protocol_ == Protocol::Imap ? "imap" : "pop3") + "://127.0.0.1:" +
           std::to_string(port_);
  }
  // Every line the clients sent, in order, over all connections.
  std::vector<std::string> lines() const {
    std::lock_guard<std::mutex> l(mu_);
    return lines_;
  }
  // True when some client line contains `text`.
  bool received(const std::string& text) const {
    for (const auto& l : lines())
      if (l.find(text) != std::string::npos) return true;
    return false;
  }
  // How many client lines contain `text`.
  int count(const std::string& text) const {
    int n = 0;
    for (const auto& l : lines()) n += l.find(text) != std::string::npos;
    return n;
  }
  int connections() const { return connections_; }

 private:
  bool wait_readable(int fd) {
    while (!stop_) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 50) > 0) return true;
    }
    return false;
  }

  bool read_line(int fd, std::string& line) {
    line.clear();
    char c;
    while (wait_readable(fd)) {
      if (::recv(fd, &c, 1, 0) != 1) return false;
      if (c == '\n') return true;
      if (c != '\r') line += c;
    }
    return false;
  }

  void say(int fd, const std::string& s) { ::send(fd, s.data(), s.size(), MSG_NOSIGNAL); }

  std::string answer(const std::string& line, std::set<std::string>& flags) {
    std::string tag, cmd = line;
    if (protocol_ == Protocol::Imap) {
      std::size_t sp = line.find(' ');
      tag = line.substr(0, sp);
      cmd = sp == std::string::npos ? "" : line.substr(sp + 1);
    }
    std::lock_guard<std::mutex> l(mu_);
    lines_.push_back(line);
    for (auto it = rules_.begin(); it != rules_.end(); ++it) {
      if (!cmd.starts_with(it->match)) continue;
      if (!it->when.empty() && (it->when[0] == '!' ? flags.contains(it->when.substr(1))
                                                   : !flags.contains(it->when)))
        continue;
      if (!it->sets.empty()) flags.insert(it->sets);
      std::string reply = it->reply;
      for (std::size_t p = reply.find("{tag}"); p != std::string::npos; p = reply.find("{tag}", p))
        reply.replace(p, 5, tag);
      if (it->once) rules_.erase(it);
      return reply;
    }
    return protocol_ == Protocol::Imap ? tag + " BAD not in the script\r\n"
                                       : "-ERR not in the script\r\n";
  }

  void serve() {
    while (wait_readable(listen_fd_)) {
      int fd = ::accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) continue;
      ++connections_;
      say(fd, greeting_);
      std::string line;
      std::set<std::string> flags;
      while (read_line(fd, line)) say(fd, answer(line, flags));
      ::close(fd);
    }
  }

  Protocol protocol_;
  std::string greeting_;
  std::vector<ScriptRule> rules_;
  mutable std::mutex mu_;
  std::vector<std::string> lines_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<int> connections_{0};
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace crmr
