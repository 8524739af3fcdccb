// FakeImapServer: a one-connection IMAP server on 127.0.0.1 for tests of
// misbehaving servers. It plays along with libcurl's login (CAPABILITY,
// AUTHENTICATE PLAIN, LOGIN) and then misbehaves at the first command of ours
// (tags starting with 'R'): stall, send garbage, or close inside a literal.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <string>
#include <thread>

namespace crmr {

class FakeImapServer {
 public:
  enum class Mode { Stall, Garbage, TruncatedLiteral };

  explicit FakeImapServer(Mode mode) : mode_(mode) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    ::listen(listen_fd_, 1);
    socklen_t len = sizeof a;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~FakeImapServer() {
    stop_ = true;
    thread_.join();
    ::close(listen_fd_);
  }

  std::string url() const { return "imap://127.0.0.1:" + std::to_string(port_); }

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

  void serve() {
    if (!wait_readable(listen_fd_)) return;
    int fd = ::accept(listen_fd_, nullptr, nullptr);
    if (fd < 0) return;
    say(fd, "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR] fake ready\r\n");
    std::string line;
    while (read_line(fd, line)) {
      std::string tag = line.substr(0, line.find(' '));
      std::string cmd = line.substr(tag.size() + 1);
      if (tag.starts_with('R')) {
        if (mode_ == Mode::Garbage) say(fd, "\x01\x02 garbage )))\r\n");
        if (mode_ == Mode::TruncatedLiteral) say(fd, "* CAPABILITY {100}\r\nabc");
        if (mode_ != Mode::Stall) break;
        continue;
      }
      if (cmd.starts_with("CAPABILITY")) {
        say(fd, "* CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR\r\n" + tag + " OK done\r\n");
      } else if (cmd == "AUTHENTICATE PLAIN") {
        say(fd, "+ \r\n");
        if (!read_line(fd, line)) break;
        say(fd, tag + " OK logged in\r\n");
      } else {
        say(fd, tag + " OK done\r\n");
      }
    }
    // Close as a server that has had its say: the client reads what was sent
    // and then the end of the stream. Commands the client had pipelined are
    // drained first; closing with them unread would send a reset, which can
    // overtake the garbage and reach the client as "connection reset".
    ::shutdown(fd, SHUT_WR);
    char drained[512];
    while (wait_readable(fd) && ::recv(fd, drained, sizeof drained, 0) > 0) {
    }
    ::close(fd);
  }

  Mode mode_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace crmr
