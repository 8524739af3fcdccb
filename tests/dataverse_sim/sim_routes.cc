#include <dirent.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdlib>
#include <thread>

#include "sim_batch.h"
#include "sim_server.h"

namespace crmr::sim {
namespace {

// Closes the connection a request came on without answering: finds the
// socket by its peer port among our descriptors and shuts it down, so the
// client sees the connection end with no response.
void drop_connection(const httplib::Request& req) {
  DIR* dir = opendir("/proc/self/fd");
  if (!dir) return;
  while (dirent* entry = readdir(dir)) {
    int fd = std::atoi(entry->d_name);
    if (fd <= 2) continue;
    sockaddr_storage peer{}, local{};
    socklen_t pl = sizeof peer, ll = sizeof local;
    if (getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &pl) != 0) continue;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &ll) != 0) continue;
    if (peer.ss_family != AF_INET || local.ss_family != AF_INET) continue;
    auto* p = reinterpret_cast<sockaddr_in*>(&peer);
    auto* l = reinterpret_cast<sockaddr_in*>(&local);
    if (ntohs(p->sin_port) == req.remote_port && ntohs(l->sin_port) == req.local_port) {
      linger hard{1, 0};  // reset rather than a polite close
      setsockopt(fd, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
      shutdown(fd, SHUT_RDWR);
      break;
    }
  }
  closedir(dir);
}

}  // namespace

SimServer::SimServer(const SimConfig& config, SimStore& store)
    : config_(config),
      api_(store, config),
      auth_(config),
      limiter_(config.rate_limit, config.rate_window) {
  const std::size_t threads = static_cast<std::size_t>(std::max(config.threads, 2));
  http_.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  http_.set_keep_alive_max_count(1000000);
  http_.set_keep_alive_timeout(30);
  // Without TCP_NODELAY, Nagle + delayed ACK hold each keep-alive answer ~40 ms.
  http_.set_tcp_nodelay(true);
  http_.set_payload_max_length(std::size_t{1} << 31);
  install_routes();
  install_control_routes();
}

int SimServer::bind() {
  if (config_.port == 0) return http_.bind_to_any_port("127.0.0.1");
  return http_.bind_to_port("127.0.0.1", config_.port) ? config_.port : -1;
}

SimRequest SimServer::to_sim_request(const httplib::Request& req) const {
  SimRequest r;
  r.method = req.method;
  r.path = req.matches.size() > 2 ? std::string(req.matches[2]) : std::string();
  for (auto& [k, v] : req.params) r.query.emplace(k, v);
  for (auto& [k, v] : req.headers) r.headers[k] = v;
  r.body = req.body;
  std::string host = req.get_header_value("Host");
  if (host.empty()) host = "127.0.0.1:" + std::to_string(req.local_port);
  r.base_url = "http://" + host + "/api/data/v" + std::string(req.matches[1]) + "/";
  return r;
}

void SimServer::send(httplib::Response& res, const SimResponse& r) {
  res.status = r.status;
  res.set_header("OData-Version", "4.0");
  for (auto& [k, v] : r.headers) res.set_header(k, v);
  if (!r.body.empty()) res.set_content(r.body, r.content_type);
  stats_.status(r.status);
}

void SimServer::api_request(const httplib::Request& req, httplib::Response& res) {
  stats_.bump("api_requests");
  FaultAction fault = faults_.next();
  if (fault.drop) {
    stats_.bump("faults_dropped");
    drop_connection(req);
    return;
  }
  // httplib writes the answer after this handler returns: closing the
  // connection on the way out loses an answer to a request that was carried out.
  struct LoseAnswer {
    const httplib::Request& req;
    bool lost;
    ~LoseAnswer() {
      if (lost) drop_connection(req);
    }
  } lose_answer{req, fault.lost};
  if (fault.lost) stats_.bump("faults_lost");
  if (fault.status != 0) {
    stats_.bump("faults_status");
    SimResponse r = error_response(
        {fault.status, fault.status == 429 ? codes::kRequestLimit : codes::kUnexpected,
         fault.status == 429 ? "Number of requests exceeded the limit (simulated fault " +
                                   fault.fault + ")."
                             : "Simulated fault " + fault.fault + "."});
    if (fault.status == 429) r.set_header("Retry-After", std::to_string(fault.retry_after));
    return send(res, r);
  }
  if (auto denied = auth_.check(req.get_header_value("Authorization"))) {
    SimResponse r = error_response(*denied);
    r.set_header("WWW-Authenticate",
                 "Bearer error=\"invalid_token\", error_description=\"" + denied->message + "\"");
    return send(res, r);
  }
  const int now_in_flight = ++in_flight_;
  struct Leave {
    std::atomic<int>& n;
    ~Leave() { --n; }
  } leave{in_flight_};
  for (int seen = in_flight_max_.load(); now_in_flight > seen &&
                                         !in_flight_max_.compare_exchange_weak(seen, now_in_flight);) {
  }
  if (config_.max_concurrency > 0 && now_in_flight > config_.max_concurrency) {
    stats_.bump("rate_limited");
    SimResponse r = error_response(
        {429, codes::kConcurrencyLimit,
         "Number of concurrent requests exceeded the limit of " +
             std::to_string(config_.max_concurrency) + "."});
    r.set_header("Retry-After", "1");
    return send(res, r);
  }
  // A delayed request holds its concurrency slot while it waits.
  if (fault.delay_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(fault.delay_ms));

  SimRequest r = to_sim_request(req);
  if (!r.body.empty() && lower(r.header("Content-Type")).find("json") != std::string::npos &&
      r.header("OData-Version") != "4.0") {
    stats_.bump("missing_odata_version");
    if (config_.strict_odata_version)
      return send(res, error_response({400, codes::kBadQuery,
                                       "OData-Version: 4.0 is required with a JSON body."}));
  }
  auto admit = [&](std::size_t n) -> bool {
    auto wait = limiter_.admit(n);
    if (!wait) return true;
    stats_.bump("rate_limited");
    SimResponse e = error_response(
        {429, codes::kRequestLimit,
         "Number of requests exceeded the limit of " + std::to_string(limiter_.limit()) +
             " over time window of " + std::to_string(limiter_.window()) + " seconds."});
    e.set_header("Retry-After", std::to_string(*wait));
    send(res, e);
    return false;
  };
  if (r.path == "$batch") {
    if (r.method != "POST")
      return send(res, error_response({405, codes::kBadQuery, "$batch takes POST"}));
    auto batch = parse_batch(r);
    if (!batch) return send(res, error_response(batch.error()));
    if (!admit(batch->request_count)) return;
    stats_.bump("batch_inner_requests", static_cast<std::int64_t>(batch->request_count));
    return send(res, run_batch(api_, std::move(*batch), r));
  }
  if (!admit(1)) return;
  send(res, api_.handle(r));
}

void SimServer::install_routes() {
  auto api = [this](const httplib::Request& req, httplib::Response& res) { api_request(req, res); };
  const char* pattern = R"(/api/data/v(9\.\d+)/(.*))";
  http_.Get(pattern, api);
  http_.Post(pattern, api);
  http_.Patch(pattern, api);
  http_.Put(pattern, api);
  http_.Delete(pattern, api);
  http_.Post(R"(/([^/]+)/oauth2/v2\.0/token)",
             [this](const httplib::Request& req, httplib::Response& res) {
               stats_.bump("token_requests");
               SimResponse r = auth_.token(req.body, "http://" + req.get_header_value("Host") + req.path);
               res.status = r.status;
               res.set_content(r.body, r.content_type);
             });
  http_.Post("/oauth2/introspect", [this](const httplib::Request& req, httplib::Response& res) {
    stats_.bump("introspections");
    SimResponse r = auth_.introspect(req.body);
    res.status = r.status;
    res.set_content(r.body, r.content_type);
  });
}

void SimServer::install_control_routes() {
  auto reply = [](httplib::Response& res, const json& body, int status = 200) {
    res.status = status;
    res.set_content(body.dump(2), "application/json");
  };
  http_.Post("/_sim/faults", [this, reply](const httplib::Request& req, httplib::Response& res) {
    json body = json::parse(req.body, nullptr, false);
    if (body.is_discarded() || !body.is_object())
      return reply(res, {{"error", "expected {\"faults\": [...], \"replace\": bool}"}}, 400);
    std::string text;
    if (body["faults"].is_string()) text = body["faults"].get<std::string>();
    if (body["faults"].is_array())
      for (auto& f : body["faults"]) text += (f.is_string() ? f.get<std::string>() : "") + ",";
    auto specs = parse_faults(text, faults_.count());
    if (!specs) return reply(res, {{"error", specs.error().message}}, 400);
    if (body.value("replace", false)) faults_.clear();
    faults_.add(std::move(*specs));
    reply(res, faults_.describe());
  });
  http_.Get("/_sim/faults", [this, reply](const httplib::Request&, httplib::Response& res) {
    reply(res, faults_.describe());
  });
  http_.Post("/_sim/reset-faults", [this, reply](const httplib::Request&, httplib::Response& res) {
    faults_.clear();
    reply(res, faults_.describe());
  });
  http_.Get("/_sim/stats", [this, reply](const httplib::Request&, httplib::Response& res) {
    json s = stats_.to_json();
    const json counters = api_.counters();
    for (auto& [k, v] : counters.items()) s[k] = v;
    s["in_flight_max"] = in_flight_max_.load();
    s["fault_counter"] = faults_.count();
    reply(res, s);
  });
  http_.Get("/_sim/emails", [this, reply](const httplib::Request& req, httplib::Response& res) {
    reply(res, api_.dump_emails(req.has_param("bodies")));
  });
  http_.Post("/_sim/expire-tokens", [this, reply](const httplib::Request&, httplib::Response& res) {
    auth_.expire_all();
    reply(res, {{"ok", true}});
  });
  http_.Post("/_sim/mailbox-access", [this, reply](const httplib::Request& req, httplib::Response& res) {
    json body = json::parse(req.body, nullptr, false);
    if (!body.is_object() || !body["mailbox"].is_string())
      return reply(res, {{"error", "expected {\"mailbox\": \"...\"}"}}, 400);
    auth_.set_mailbox_access(body["mailbox"].get<std::string>());
    reply(res, {{"ok", true}});
  });
  http_.Post("/_sim/seed", [this, reply](const httplib::Request& req, httplib::Response& res) {
    auto n = api_.seed_lines(req.body, "seed");
    if (!n) return reply(res, {{"error", n.error().message}}, 400);
    reply(res, {{"seeded", *n}});
  });
}

}  // namespace crmr::sim
