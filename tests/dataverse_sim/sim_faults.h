// Fault injection, service protection limits and request statistics of the
// simulator. All three are shared by the HTTP worker threads and lock
// internally.
//
// Fault specs (repeatable, combinable, comma-separated lists allowed); N
// counts API requests (/api/data/..., a $batch is one) from 1:
//   "503@N"        request N answers 503 with an OData error body (any 4xx/5xx works)
//   "429@N:RETRY"  request N answers 429 with Retry-After: RETRY
//   "drop@N"       request N: the connection is closed without an answer
//   "lost@N"       request N is carried out, then the connection is closed
//                  instead of answering (the server did it; the client can't know)
//   "delay@N:MS"   request N is answered MS milliseconds late
//   "every:503/K", "every:429/K", "every:drop/K", "every:lost/K", "every:delay:MS/K"
//                  every Kth request (K, 2K, ...)
// Faults set at run time (POST /_sim/faults) count N from the request after.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "sim_types.h"

namespace crmr::sim {

struct FaultSpec {
  enum class Kind { Status, Drop, Lost, Delay } kind = Kind::Status;
  int status = 503;
  int retry_after = 1;  // 429 only
  int delay_ms = 0;
  std::int64_t at = 0;     // the Nth request (absolute count), 0 = not used
  std::int64_t every = 0;  // every Kth request, 0 = not used
  std::int64_t offset = 0; // requests counted before this fault was set
  std::string text;
};

SimResult<std::vector<FaultSpec>> parse_faults(const std::string& text, std::int64_t offset);

// What to do to one request.
struct FaultAction {
  int delay_ms = 0;
  bool drop = false;
  bool lost = false;  // answer normally, then close instead of sending the answer
  int status = 0;  // 0: answer normally
  int retry_after = 0;
  std::string fault;  // the spec that fired (for the error message)
};

class Faults {
 public:
  void add(std::vector<FaultSpec> specs);
  void clear();
  std::int64_t count() const;
  // Counts one API request and returns what the faults want done to it.
  FaultAction next();
  json describe() const;

 private:
  mutable std::mutex mutex_;
  std::vector<FaultSpec> specs_;
  std::int64_t counter_ = 0;
};

// Sliding-window request limit: admit(n) records n requests now, or answers
// the seconds to wait (Retry-After) when they would exceed `limit` within
// `window`. limit 0 = off.
class RateLimiter {
 public:
  RateLimiter(int limit, int window_seconds) : limit_(limit), window_(window_seconds) {}
  std::optional<int> admit(std::size_t n);
  int limit() const { return limit_; }
  int window() const { return static_cast<int>(window_.count()); }

 private:
  std::mutex mutex_;
  int limit_;
  std::chrono::seconds window_;
  std::deque<std::chrono::steady_clock::time_point> hits_;
};

class Stats {
 public:
  void status(int code);
  void bump(const std::string& counter, std::int64_t by = 1);
  json to_json() const;

 private:
  mutable std::mutex mutex_;
  std::map<int, std::int64_t> by_status_;
  std::map<std::string, std::int64_t> counters_;
};

}  // namespace crmr::sim
