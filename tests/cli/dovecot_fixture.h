// A real Dovecot for the mailbox tests, started with scripts/dovecot-test-server
// (loopback, free ports, a temp directory; see test_mail_server.h). Tests skip
// when dovecot is not installed. Mail is delivered by writing files into the
// users' Maildirs.
#pragma once

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/cli/test_mail_server.h"

namespace crmr::test {

class Dovecot : public TestMailServer {
 public:
  Dovecot() : TestMailServer("dovecot", "dovecot-test-server", "DOVECOT_") {}

  // Stop the server (SIGTERM to its master, which ends its client processes
  // too); the directory stays, so start(dir()) brings the same mail back.
  void kill_server() {
    pid_t pid = static_cast<pid_t>(std::stol(var("PID")));
    // Its client processes (imap, pop3: children of the master) die at once,
    // mid-conversation, like a crashed server.
    for (const auto& e : std::filesystem::directory_iterator("/proc")) {
      std::ifstream stat(e.path() / "stat");
      std::string line;
      if (!std::getline(stat, line)) continue;
      auto close = line.rfind(')');
      if (close == std::string::npos) continue;
      std::istringstream rest(line.substr(close + 2));
      char state;
      long ppid = 0;
      rest >> state >> ppid;
      if (ppid == pid) ::kill(static_cast<pid_t>(std::stol(e.path().filename().string())), SIGKILL);
    }
    ::kill(pid, SIGTERM);
    for (int i = 0; i < 80 && ::kill(pid, 0) == 0; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    ::kill(pid, SIGKILL);  // a master slow to shut down must not block the restart
    for (int i = 0; i < 80 && ::kill(pid, 0) == 0; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }

  // Maildir folder path of a user ("" is INBOX, else ".Name").
  std::string maildir(const std::string& user, const std::string& folder = "") const {
    std::string p = dir() + "/home/" + user + "/Maildir";
    return folder.empty() ? p : p + "/." + folder;
  }

  // Deliver a message file, optionally backdated (Dovecot takes the received
  // date, INTERNALDATE, from the file's mtime).
  void deliver(const std::string& user, const std::string& name, const std::string& bytes,
               std::optional<std::chrono::system_clock::time_point> received = {}) override {
    std::string tmp = maildir(user) + "/tmp/" + name;
    std::ofstream(tmp, std::ios::binary) << bytes;
    if (received) {
      auto ft = std::filesystem::file_time_type::clock::now() +
                (*received - std::chrono::system_clock::now());
      std::filesystem::last_write_time(tmp, ft);
    }
    chown_to_mail_owner(tmp);
    std::filesystem::rename(tmp, maildir(user) + "/new/" + name);
  }

  // Flags of every message file in a Maildir folder ("" for a new, unseen one),
  // keyed by the file's base name.
  std::map<std::string, std::string> flags(const std::string& user,
                                           const std::string& folder = "") const override {
    std::map<std::string, std::string> out;
    for (const char* sub : {"/new", "/cur"}) {
      std::error_code ec;
      for (const auto& e : std::filesystem::directory_iterator(maildir(user, folder) + sub, ec)) {
        std::string f = e.path().filename().string();
        auto colon = f.find(":2,");
        std::string base = f.substr(0, colon == std::string::npos ? f.find(':') : colon);
        out[base] = colon == std::string::npos ? "" : f.substr(colon + 3);
      }
    }
    return out;
  }

  // Make Dovecot renumber a user's INBOX: a new UIDVALIDITY, UIDs from 1.
  void reset_uids(const std::string& user) override {
    for (const auto& e : std::filesystem::directory_iterator(maildir(user))) {
      std::string f = e.path().filename().string();
      if (f.starts_with("dovecot-uidlist") || f.starts_with("dovecot-uidvalidity") ||
          f.starts_with("dovecot.index"))
        std::filesystem::remove(e.path());
    }
    // UIDVALIDITY is a timestamp: make sure the new one differs.
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  }

  // A [[mailbox]] block for `user` on this server's IMAP port (password from
  // the environment variable `pw_env`, the test CA trusted); `extra` lines after.
  std::string mailbox_toml(const std::string& name, const std::string& user, const std::string& pw_env,
                           const std::string& extra) const {
    return "[[mailbox]]\nname = \"" + name + "\"\nurl = \"" + imap_url() + "\"\nuser = \"" + user +
           "\"\npassword_env = \"" + pw_env + "\"\ntls_ca_file = \"" + ca_file() + "\"\n" + extra;
  }

  // Let bearer `token` log in as `user` by XOAUTH2 (kept across restarts).
  void add_token(const std::string& user, const std::string& token) {
    run_script("token " + dir() + " " + user + " " + token);
  }
};

// A Dovecot of one test: stopped (and its directory removed) when it goes.
class ScopedDovecot : public Dovecot {
 public:
  ScopedDovecot() = default;
  ScopedDovecot(const ScopedDovecot&) = delete;
  ScopedDovecot& operator=(const ScopedDovecot&) = delete;
  ~ScopedDovecot() { stop(); }
};

}  // namespace crmr::test
