// A real Dovecot for the mailbox tests, started with scripts/dovecot-test-server
// (loopback, free ports, a temp directory). Tests skip when dovecot is not
// installed. Mail is delivered by writing files into the users' Maildirs.
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

namespace crmr::test {

class Dovecot {
 public:
  // Start (or restart in the same directory, keeping the Maildirs). False
  // when dovecot is not installed.
  bool start(const std::string& dir = {}) {
    std::string cmd = std::string(CRMR_SOURCE_DIR) + "/scripts/dovecot-test-server start " + dir +
                      " 2>&1";
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
    if (st != 0 || vars_.count("DOVECOT_DIR") == 0) return false;
    for (const auto& [name, pass] : users_) add_user_files(name, pass);  // a restart forgets users
    return true;
  }
  // Stop the server (SIGTERM to its master, which ends its client processes
  // too); the directory stays, so start(dir()) brings the same mail back.
  void kill_server() {
    pid_t pid = static_cast<pid_t>(std::stol(vars_.at("DOVECOT_PID")));
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
  void stop() {
    if (vars_.count("DOVECOT_DIR"))
      std::system((std::string(CRMR_SOURCE_DIR) + "/scripts/dovecot-test-server stop " + dir()).c_str());
    vars_.clear();
  }

  std::string dir() const { return vars_.at("DOVECOT_DIR"); }
  std::string ca_file() const { return vars_.at("DOVECOT_CA_FILE"); }
  std::string port(const char* which) const { return vars_.at(which); }
  std::string imap_url() const { return "imap://127.0.0.1:" + port("DOVECOT_IMAP_PORT"); }
  std::string imaps_url() const { return "imaps://127.0.0.1:" + port("DOVECOT_IMAPS_PORT"); }
  std::string pop3_url() const { return "pop3://127.0.0.1:" + port("DOVECOT_POP3_PORT"); }

  void add_user(const std::string& name, const std::string& pass) {
    users_[name] = pass;
    add_user_files(name, pass);
  }

  // Maildir folder path of a user ("" is INBOX, else ".Name").
  std::string maildir(const std::string& user, const std::string& folder = "") const {
    std::string p = dir() + "/home/" + user + "/Maildir";
    return folder.empty() ? p : p + "/." + folder;
  }

  // Deliver a message file, optionally backdated (Dovecot takes the received
  // date, INTERNALDATE, from the file's mtime).
  void deliver(const std::string& user, const std::string& name, const std::string& bytes,
               std::optional<std::chrono::system_clock::time_point> received = {}) {
    std::string tmp = maildir(user) + "/tmp/" + name;
    std::ofstream(tmp, std::ios::binary) << bytes;
    if (received) {
      auto ft = std::filesystem::file_time_type::clock::now() +
                (*received - std::chrono::system_clock::now());
      std::filesystem::last_write_time(tmp, ft);
    }
    chown_path(tmp);
    std::filesystem::rename(tmp, maildir(user) + "/new/" + name);
  }

  // Flags of every message file in a Maildir folder ("" for a new, unseen one),
  // keyed by the file's base name.
  std::map<std::string, std::string> flags(const std::string& user,
                                           const std::string& folder = "") const {
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
  void reset_uids(const std::string& user) {
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
    std::string cmd = std::string(CRMR_SOURCE_DIR) + "/scripts/dovecot-test-server token " + dir() +
                      " " + user + " " + token;
    ASSERT_EQ(std::system(cmd.c_str()), 0);
  }

 private:
  void add_user_files(const std::string& name, const std::string& pass) {
    std::string cmd = std::string(CRMR_SOURCE_DIR) + "/scripts/dovecot-test-server user " +
                      dir() + " " + name + " " + pass;
    ASSERT_EQ(std::system(cmd.c_str()), 0);
  }
  void chown_path(const std::string& path) const {
    std::string cmd = "chown " + vars_.at("DOVECOT_MAIL_OWNER") + " '" + path + "'";
    ASSERT_EQ(std::system(cmd.c_str()), 0);
  }

  std::map<std::string, std::string> vars_;
  std::map<std::string, std::string> users_;
  std::string output_;  // of the last start, for failure messages

 public:
  const std::string& output() const { return output_; }
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
