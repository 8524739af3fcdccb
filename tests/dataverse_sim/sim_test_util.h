// Test support for dataverse-sim: runs the simulator as a subprocess on a
// free port (SimProcess) and talks to it with httplib::Client (SimClient).
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

extern char** environ;

namespace crmr::sim::test {

using nlohmann::json;

inline constexpr const char* kContact = "33333333-0000-0000-0000-000000000001";
inline constexpr const char* kAccount = "44444444-0000-0000-0000-000000000001";
inline constexpr const char* kUser = "11111111-0000-0000-0000-000000000001";
inline constexpr const char* kQueue = "22222222-0000-0000-0000-000000000001";
inline constexpr const char* kOpportunity = "77777777-0000-0000-0000-000000000001";
inline constexpr const char* kTrackedEmail = "66666666-0000-0000-0000-000000000001";

inline std::string seed_file() { return CRMR_SIM_SEED; }

// The simulator running for one test; SIGTERM and wait on destruction.
class SimProcess {
 public:
  explicit SimProcess(std::vector<std::string> extra = {}, bool seed = true) {
    std::vector<std::string> args{CRMR_DATAVERSE_SIM, "--port", "0"};
    if (std::find(extra.begin(), extra.end(), "--db") == extra.end()) {
      args.push_back("--db");
      args.push_back(":memory:");
    }
    if (seed) {
      args.push_back("--seed");
      args.push_back(seed_file());
    }
    for (auto& a : extra) args.push_back(a);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    int out[2];
    if (pipe(out) != 0) return;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_addclose(&actions, out[0]);
    if (posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&actions);
    close(out[1]);
    stdout_ = fdopen(out[0], "r");
    char line[256];
    if (pid_ > 0 && stdout_ && std::fgets(line, sizeof line, stdout_))
      std::sscanf(line, "listening on 127.0.0.1:%d", &port_);
  }
  ~SimProcess() { stop(); }

  // SIGTERM; the exit status (or -1).
  int stop() {
    if (pid_ <= 0) return exit_status_;
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    if (stdout_) std::fclose(stdout_);
    stdout_ = nullptr;
    exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return exit_status_;
  }
  int port() const { return port_; }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
  int exit_status_ = -1;
  FILE* stdout_ = nullptr;
};

// A client of one simulator: fetches a token and sends the documented headers.
class SimClient {
 public:
  explicit SimClient(int port, bool authenticate = true) : http_("127.0.0.1", port) {
    http_.set_read_timeout(20, 0);
    if (authenticate) token_ = fetch_token("sim-secret");
  }

  std::string fetch_token(const std::string& secret) {
    auto r = http_.Post("/tenant-id/oauth2/v2.0/token",
                        "grant_type=client_credentials&client_id=sim-client&client_secret=" +
                            secret + "&scope=https%3A%2F%2Forg.crm.dynamics.com%2F.default",
                        "application/x-www-form-urlencoded");
    if (!r || r->status != 200) return {};
    return json::parse(r->body).value("access_token", "");
  }

  httplib::Headers headers(const std::string& prefer = {}) const {
    httplib::Headers h{{"Accept", "application/json"},
                       {"OData-MaxVersion", "4.0"},
                       {"OData-Version", "4.0"}};
    if (!token_.empty()) h.emplace("Authorization", "Bearer " + token_);
    if (!prefer.empty()) h.emplace("Prefer", prefer);
    return h;
  }

  httplib::Result get(const std::string& path, const std::string& prefer = {}) {
    return http_.Get(path.starts_with("/") ? path : "/api/data/v9.2/" + path, headers(prefer));
  }
  httplib::Result post(const std::string& path, const json& body, const std::string& prefer = {}) {
    return http_.Post("/api/data/v9.2/" + path, headers(prefer), body.dump(),
                      "application/json; charset=utf-8");
  }
  httplib::Result patch(const std::string& path, const json& body) {
    return http_.Patch("/api/data/v9.2/" + path, headers(), body.dump(),
                       "application/json; charset=utf-8");
  }
  httplib::Result del(const std::string& path) {
    return http_.Delete("/api/data/v9.2/" + path, headers());
  }
  httplib::Result raw_post(const std::string& path, const std::string& body,
                           const std::string& type, const std::string& prefer = {}) {
    return http_.Post(path, headers(prefer), body, type);
  }
  json sim(const std::string& path) {
    auto r = http_.Get("/_sim/" + path);
    return r ? json::parse(r->body) : json();
  }
  json sim_post(const std::string& path, const json& body) {
    auto r = http_.Post("/_sim/" + path, body.dump(), "application/json");
    return r ? json::parse(r->body) : json();
  }

  std::string token_;
  httplib::Client http_;
};

// Percent-encodes everything but unreserved characters.
inline std::string url_encode(const std::string& text) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

inline std::string error_code(const httplib::Result& r) {
  if (!r) return "<no answer>";
  auto body = json::parse(r->body, nullptr, false);
  if (body.is_discarded() || !body.contains("error")) return "<no error body>";
  return body["error"].value("code", "");
}

// The GUID in an OData-EntityId header "...(guid)".
inline std::string entity_id(const httplib::Result& r) {
  if (!r) return {};
  std::string h = r->get_header_value("OData-EntityId");
  auto open = h.rfind('('), close = h.rfind(')');
  return open == std::string::npos ? std::string() : h.substr(open + 1, close - open - 1);
}

inline json incoming_email(const std::string& messageid) {
  return {{"subject", "Re: Quote 1234"},
          {"description", "<p>hello</p>"},
          {"directioncode", false},
          {"messageid", messageid},
          {"sender", "alice@customer.example"},
          {"torecipients", "sales@contoso.example"},
          {"actualend", "2026-05-01T10:00:00Z"},
          {"prioritycode", 1},
          {"regardingobjectid_opportunity_email@odata.bind",
           std::string("/opportunities(") + kOpportunity + ")"},
          {"email_activity_parties",
           json::array({{{"participationtypemask", 1},
                         {"partyid_contact@odata.bind", std::string("/contacts(") + kContact + ")"},
                         {"addressused", "alice@customer.example"}},
                        {{"participationtypemask", 2},
                         {"partyid_queue@odata.bind", std::string("/queues(") + kQueue + ")"},
                         {"addressused", "sales@contoso.example"}},
                        {{"participationtypemask", 3}, {"addressused", "stranger@else.example"}}})}};
}

}  // namespace crmr::sim::test
