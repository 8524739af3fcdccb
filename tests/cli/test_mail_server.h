// A real mail server on loopback for the mailbox tests, started by one of the
// scripts/*-test-server scripts (free ports, a temp directory, a self-signed
// certificate). This base runs the script and knows its variables; a subclass
// per server (dovecot_fixture.h, mailutils_fixture.h) delivers mail into the
// server's store and reads flags back. start() is false when the server is
// not installed (or failed to start: see output()).
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <string>

namespace crmr::test {

class TestMailServer {
 public:
  virtual ~TestMailServer() = default;

  // The four ways in: plain IMAP/POP3, and IMAPS/POP3S (TLS from the first byte).
  enum class Protocol { Imap, Imaps, Pop3, Pop3s };

  // "dovecot", "mailutils": for test names and messages.
  const std::string& name() const { return name_; }

  // Start (or restart in the same directory, keeping the mail). False when
  // the server is not installed or did not start.
  bool start(const std::string& dir = {}) {
    std::string cmd = script_ + " start " + dir + " 2>&1";
    std::FILE* p = ::popen(cmd.c_str(), "r");
    if (!p) return false;
    char buf[512];
    vars_.clear();
    output_.clear();
    while (std::fgets(buf, sizeof buf, p)) {
      std::string line(buf);
      if (!line.empty() && line.back() == '\n') line.pop_back();
      output_ += line + "\n";
      auto eq = line.find('=');
      if (eq != std::string::npos) vars_[line.substr(0, eq)] = line.substr(eq + 1);
    }
    int st = ::pclose(p);
    if (st != 0 || vars_.count(prefix_ + "DIR") == 0) return false;
    for (const auto& [user, pass] : users_) add_user_files(user, pass);  // a restart forgets users
    return true;
  }
  // Stop the server and delete its directory.
  void stop() {
    if (vars_.count(prefix_ + "DIR"))
      [[maybe_unused]] int rc = std::system((script_ + " stop " + dir() + " >/dev/null 2>&1").c_str());
    vars_.clear();
  }

  std::string dir() const { return var("DIR"); }
  std::string ca_file() const { return var("CA_FILE"); }
  // The output of the last start, for failure messages.
  const std::string& output() const { return output_; }

  std::string url(Protocol p) const {
    switch (p) {
      case Protocol::Imap: return "imap://127.0.0.1:" + var("IMAP_PORT");
      case Protocol::Imaps: return "imaps://127.0.0.1:" + var("IMAPS_PORT");
      case Protocol::Pop3: return "pop3://127.0.0.1:" + var("POP3_PORT");
      case Protocol::Pop3s: return "pop3s://127.0.0.1:" + var("POP3S_PORT");
    }
    return {};
  }
  std::string imap_url() const { return url(Protocol::Imap); }
  std::string imaps_url() const { return url(Protocol::Imaps); }
  std::string pop3_url() const { return url(Protocol::Pop3); }
  std::string pop3s_url() const { return url(Protocol::Pop3s); }

  // The name `user` logs in with (a virtual-domain server wants user@domain).
  virtual std::string login(const std::string& user) const { return user; }

  // Add a mail user with an empty INBOX (kept across restarts).
  void add_user(const std::string& user, const std::string& pass) {
    users_[user] = pass;
    add_user_files(user, pass);
  }

  // Deliver a message into a user's INBOX under `name` (the key of flags()),
  // optionally with an earlier received date (INTERNALDATE).
  virtual void deliver(const std::string& user, const std::string& name, const std::string& bytes,
                       std::optional<std::chrono::system_clock::time_point> received = {}) = 0;

  // The messages in a user's folder ("" is INBOX) with their flags in Maildir
  // letters, sorted ("" unseen, "S" seen, "ST" seen and deleted), keyed by
  // the name they were delivered under.
  virtual std::map<std::string, std::string> flags(const std::string& user,
                                                   const std::string& folder = "") const = 0;

  // Make the server renumber a user's INBOX: a new UIDVALIDITY, UIDs from 1.
  virtual void reset_uids(const std::string& user) = 0;

 protected:
  // `script` in scripts/, whose `start` prints PREFIX_DIR, PREFIX_CA_FILE,
  // PREFIX_IMAP_PORT, PREFIX_IMAPS_PORT, PREFIX_POP3_PORT, PREFIX_POP3S_PORT.
  TestMailServer(std::string name, const std::string& script, std::string prefix)
      : name_(std::move(name)),
        script_(std::string(CRMR_SOURCE_DIR) + "/scripts/" + script),
        prefix_(std::move(prefix)) {}

  std::string var(const std::string& suffix) const { return vars_.at(prefix_ + suffix); }
  const std::string& script() const { return script_; }
  void run_script(const std::string& args) const {
    ASSERT_EQ(std::system((script_ + " " + args).c_str()), 0) << script_ << " " << args;
  }
  // chown `path` to the account the server reads mail as.
  void chown_to_mail_owner(const std::string& path) const {
    run_script_cmd("chown " + var("MAIL_OWNER") + " '" + path + "'");
  }

 private:
  void add_user_files(const std::string& user, const std::string& pass) {
    run_script("user " + dir() + " " + user + " " + pass);
  }
  static void run_script_cmd(const std::string& cmd) { ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd; }

  std::string name_;
  std::string script_;
  std::string prefix_;
  std::map<std::string, std::string> vars_;
  std::map<std::string, std::string> users_;
  std::string output_;
};

}  // namespace crmr::test
