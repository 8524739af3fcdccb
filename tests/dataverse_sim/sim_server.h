// The simulator's HTTP side: routes of the Web API (/api/data/v9.x/...), the
// token endpoint (/{tenant}/oauth2/v2.0/token) and the test control API
// (/_sim/...), with faults, authentication, service protection limits and
// statistics applied in that order before a request reaches the Api.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include <httplib.h>

#include "sim_api.h"
#include "sim_auth.h"
#include "sim_config.h"
#include "sim_faults.h"
#include "sim_store.h"

namespace crmr::sim {

class SimServer {
 public:
  SimServer(const SimConfig& config, SimStore& store);

  Api& api() { return api_; }
  Faults& faults() { return faults_; }
  // Binds 127.0.0.1:config.port (0: a free port); the port, or -1.
  int bind();
  void listen() { http_.listen_after_bind(); }
  void stop() { http_.stop(); }

 private:
  void install_routes();
  void install_control_routes();
  void api_request(const httplib::Request& req, httplib::Response& res);
  void send(httplib::Response& res, const SimResponse& r);
  SimRequest to_sim_request(const httplib::Request& req) const;

  const SimConfig& config_;
  Api api_;
  Auth auth_;
  Faults faults_;
  RateLimiter limiter_;
  Stats stats_;
  std::atomic<int> in_flight_{0};
  std::atomic<int> in_flight_max_{0};
  httplib::Server http_;
};

}  // namespace crmr::sim
