// Test harness for the CRM client against dataverse-sim: starts the simulator
// as a subprocess on a free port, talks to its control API, and writes a
// configuration whose [crm] section points at it.
#pragma once

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcntl.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <random>
#include <thread>
#include <string>
#include <vector>

#include "core/crm/dataverse_http.h"
#include "tests/cli/cli_harness.h"

namespace crmr::test {

class Sim {
 public:
  explicit Sim(std::vector<std::string> args) {
    int fds[2];
    if (pipe(fds) != 0) return;
    pid_ = fork();
    if (pid_ == 0) {
      dup2(fds[1], 1);
      close(fds[0]);
      close(fds[1]);
      std::vector<std::string> all = {CRMR_SIM_BINARY, "--port", "0", "--client-id", "cid",
                                      "--client-secret", "sec", "--static-token", "tok"};
      all.insert(all.end(), args.begin(), args.end());
      std::vector<char*> argv;
      for (auto& a : all) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(argv[0], argv.data());
      _exit(127);
    }
    close(fds[1]);
    FILE* f = fdopen(fds[0], "r");
    char line[256] = {};
    if (f && std::fgets(line, sizeof line, f)) {
      std::string s = line;
      auto colon = s.rfind(':');
      if (s.rfind("listening on", 0) == 0 && colon != std::string::npos) port_ = std::atoi(s.c_str() + colon + 1);
    }
    out_ = f;
    if (port_ > 0) baseline_ = received_message_ids();
  }
  ~Sim() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
    if (out_) fclose(out_);
  }
  Sim(const Sim&) = delete;
  Sim& operator=(const Sim&) = delete;

  int port() const { return port_; }
  std::string base() const { return "http://127.0.0.1:" + std::to_string(port_); }

  dataverse::HttpResponse call(const std::string& method, const std::string& path,
                               const std::string& body = {}) const {
    dataverse::HttpMulti http(dataverse::HttpOptions{});
    dataverse::HttpRequest r;
    r.method = method;
    r.url = base() + path;
    r.body = body;
    r.headers = {{"Authorization", "Bearer tok"}, {"Content-Type", "application/json"},
                 {"OData-Version", "4.0"}, {"OData-MaxVersion", "4.0"}};
    auto resp = http.perform(r);
    return resp ? *resp : dataverse::HttpResponse{};
  }
  nlohmann::json stats() const { return nlohmann::json::parse(call("GET", "/_sim/stats").body); }
  nlohmann::json emails() const {
    return nlohmann::json::parse(call("GET", "/_sim/emails").body, nullptr, false);
  }
  // Received e-mails created since the simulator started (by crm-router), by messageid.
  std::map<std::string, int> received_message_ids() const {
    std::map<std::string, int> out;
    for (const auto& e : emails()) {
      std::string id = e.value("messageid", std::string{});
      if (e.value("directioncode", true) == false && !baseline_.contains(id)) ++out[id];
    }
    return out;
  }
  // The e-mails created since the simulator started.
  std::vector<nlohmann::json> created_emails() const {
    std::vector<nlohmann::json> out;
    for (const auto& e : emails())
      if (e.value("directioncode", true) == false && !baseline_.contains(e.value("messageid", std::string{})))
        out.push_back(e);
    return out;
  }

  // The records of entity set `set` (e.g. "queueitems", "incidents"), read
  // through the Web API as a client would.
  std::vector<nlohmann::json> records(const std::string& set) const {
    auto j = nlohmann::json::parse(call("GET", "/api/data/v9.2/" + set).body, nullptr, false);
    std::vector<nlohmann::json> out;
    if (j.is_object() && j.contains("value"))
      for (auto& row : j["value"]) out.push_back(row);
    return out;
  }
  // E-mail activity id -> the queue ids of its queue items (one per item, so
  // an e-mail in a queue twice shows that queue twice).
  std::map<std::string, std::vector<std::string>> queue_items() const {
    std::map<std::string, std::vector<std::string>> out;
    for (const auto& q : records("queueitems"))
      out[q.value("_objectid_value", std::string())].push_back(q.value("_queueid_value", std::string()));
    return out;
  }

  // The [crm] section for this simulator (secret from CRMR_TEST_SECRET).
  std::string crm_toml(int concurrency = 4, const std::string& extra = {}) const {
    setenv("CRMR_TEST_SECRET", "sec", 1);
    return "[crm]\nurl = \"" + base() + "/api/data/v9.2/\"\ntenant = \"t1\"\n"
           "token_url = \"" + base() + "/{tenant}/oauth2/v2.0/token\"\nclient_id = \"cid\"\n"
           "client_secret_env = \"CRMR_TEST_SECRET\"\nconcurrency = " + std::to_string(concurrency) +
           "\n" + extra;
  }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
  FILE* out_ = nullptr;
  std::map<std::string, int> baseline_;  // received e-mails seeded before the test
};

// An mbox `file` in `dir` of `n` distinct messages from `from` (a From:
// header value) to `to`, the i-th with subject "SUBJECT i" and Message-ID
// <ID_PREFIX i ID_SUFFIX>: the mail of the load and kill tests.
inline std::string numbered_mbox(const TempDir& dir, const std::string& file, int n,
                                 const std::string& from, const std::string& to,
                                 const std::string& subject, const std::string& id_prefix,
                                 const std::string& id_suffix) {
  std::string mbox;
  for (int i = 0; i < n; ++i) {
    const std::string num = std::to_string(i);
    mbox += "From sender@test.example Fri May  1 10:00:00 2026\nFrom: " + from + "\nTo: " + to +
            "\nSubject: " + subject + " " + num + "\nDate: Fri, 01 May 2026 10:00:00 +0000\n"
            "Message-ID: <" + id_prefix + num + id_suffix + ">\n\nBody " + num + "\n\n";
  }
  return dir.write(file, mbox);
}

inline constexpr int kCrashed = 137;  // the exit status of crash_point

// `rounds` times: `crm-router --config CONFIG push` as its own process,
// SIGKILLed after `min_ms` plus a random 0..149 ms from `rng`; then
// `after_each(round)`. Returns how many kills hit a running push.
inline int kill_pushes(const std::string& config, int rounds, std::mt19937& rng, int min_ms,
                       const std::function<void(int)>& after_each = {}) {
  int kills = 0;
  for (int round = 0; round < rounds; ++round) {
    pid_t pid = fork();
    if (pid == 0) {
      int devnull = ::open("/dev/null", O_WRONLY);
      dup2(devnull, 1);
      dup2(devnull, 2);
      execl(CRMR_BINARY, CRMR_BINARY, "--config", config.c_str(), "push", (char*)nullptr);
      _exit(127);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(min_ms + rng() % 150));
    kills += kill(pid, SIGKILL) == 0;
    waitpid(pid, nullptr, 0);
    if (after_each) after_each(round);
  }
  return kills;
}

// `crm-router --config CONFIG push` as its own process with CRMR_CRASH_AT set
// to `point`: its exit status (kCrashed when it ended there).
inline int push_crashing_at(const std::string& config, const std::string& point) {
  return run_binary({"--config", config, "push"}, point);
}

}  // namespace crmr::test
