// A real GNU Mailutils (imap4d and pop3d) for the mailbox tests, started with
// scripts/mailutils-test-server (loopback, free ports, a temp directory; see
// test_mail_server.h). Users log in as NAME@test.example; a user's mail is in
// mbox files (DIR/home/NAME/INBOX, one file per other folder). Mail is
// delivered by appending to the INBOX file; flags are read from the Status
// and X-Status headers Mailutils writes, UIDVALIDITY from X-IMAPbase.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/cli/test_mail_server.h"

namespace crmr::test {

class Mailutils : public TestMailServer {
 public:
  Mailutils() : TestMailServer("mailutils", "mailutils-test-server", "MAILUTILS_") {}

  std::string login(const std::string& user) const override { return user + "@" + var("DOMAIN"); }

  // An mbox file of a user ("" is INBOX).
  std::string mbox(const std::string& user, const std::string& folder = "") const {
    return dir() + "/home/" + user + "/" + (folder.empty() ? "INBOX" : folder);
  }

  // Append to the INBOX; the From_ line carries the received date. The
  // message must have a Message-ID: flags() finds it by that.
  void deliver(const std::string& user, const std::string& name, const std::string& bytes,
               std::optional<std::chrono::system_clock::time_point> received = {}) override {
    std::string id = header(to_lf(bytes), "Message-ID");
    ASSERT_FALSE(id.empty()) << "a message for Mailutils needs a Message-ID";
    names_[id] = name;
    std::time_t t = std::chrono::system_clock::to_time_t(received.value_or(std::chrono::system_clock::now()));
    char date[64];
    std::strftime(date, sizeof date, "%a %b %e %H:%M:%S %Y", std::gmtime(&t));
    std::string text = "From sender@test.example " + std::string(date) + "\n";
    std::istringstream in(to_lf(bytes));
    for (std::string line; std::getline(in, line);)
      text += (line.starts_with("From ") ? ">" : "") + line + "\n";
    std::ofstream(mbox(user), std::ios::binary | std::ios::app) << text << "\n";
    chown_to_mail_owner(mbox(user));
  }

  // Maildir letters from the mbox status headers: Status R is S (seen),
  // X-Status A is R (answered), F is F (flagged), D is T (deleted).
  std::map<std::string, std::string> flags(const std::string& user,
                                           const std::string& folder = "") const override {
    std::map<std::string, std::string> out;
    for (const std::string& m : messages(mbox(user, folder))) {
      std::string id = header(m, "Message-ID");
      std::string status = header(m, "Status"), x = header(m, "X-Status");
      std::string f;
      if (x.find('A') != std::string::npos) f += 'R';
      if (x.find('F') != std::string::npos) f += 'F';
      if (status.find('R') != std::string::npos) f += 'S';
      if (x.find('D') != std::string::npos) f += 'T';
      std::sort(f.begin(), f.end());
      auto known = names_.find(id);
      out[known == names_.end() ? id : known->second] = f;
    }
    return out;
  }

  // Mailutils keeps UIDVALIDITY and the next UID in the first message's
  // X-IMAPbase header and each UID in X-UID: without them it numbers afresh.
  void reset_uids(const std::string& user) override {
    std::ifstream in(mbox(user), std::ios::binary);
    std::string text;
    bool in_headers = false;
    for (std::string line; std::getline(in, line);) {
      if (line.starts_with("From ")) in_headers = true;
      else if (line.empty()) in_headers = false;
      if (in_headers && (line.starts_with("X-IMAPbase:") || line.starts_with("X-UID:"))) continue;
      text += line + "\n";
    }
    in.close();
    std::ofstream(mbox(user), std::ios::binary | std::ios::trunc) << text;
    // UIDVALIDITY is a timestamp: make sure the new one differs.
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  }

 private:
  static std::string to_lf(const std::string& s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i)
      if (!(s[i] == '\r' && i + 1 < s.size() && s[i + 1] == '\n')) out += s[i];
    return out;
  }
  // The messages of an mbox file (From_ line dropped); none when it is missing.
  static std::vector<std::string> messages(const std::string& path) {
    std::vector<std::string> out;
    std::ifstream in(path, std::ios::binary);
    bool blank_before = true;
    for (std::string line; std::getline(in, line);) {
      if (blank_before && line.starts_with("From ")) out.emplace_back();
      else if (!out.empty()) out.back() += line + "\n";
      blank_before = line.empty();
    }
    return out;
  }
  // The value of the first header `name` (case-insensitive), trimmed; "" when none.
  static std::string header(const std::string& message, const std::string& name) {
    std::istringstream in(message);
    for (std::string line; std::getline(in, line) && !line.empty();) {
      if (line.size() <= name.size() || line[name.size()] != ':') continue;
      if (!std::equal(name.begin(), name.end(), line.begin(),
                      [](char a, char b) { return std::tolower(a) == std::tolower(b); }))
        continue;
      std::string v = line.substr(name.size() + 1);
      v.erase(0, v.find_first_not_of(" \t"));
      v.erase(v.find_last_not_of(" \t") + 1);
      return v;
    }
    return {};
  }

  std::map<std::string, std::string> names_;  // Message-ID -> name given to deliver()
};

}  // namespace crmr::test
