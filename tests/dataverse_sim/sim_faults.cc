#include "sim_faults.h"

#include <charconv>

namespace crmr::sim {
namespace {

bool to_int(std::string_view s, std::int64_t& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size() && out >= 0;
}

SimResult<FaultSpec> parse_one(std::string spec, std::int64_t offset) {
  auto bad = [&](const std::string& why) {
    return sim_fail(400, codes::kInvalidArgument, "bad fault \"" + spec + "\": " + why);
  };
  FaultSpec f;
  f.text = spec;
  f.offset = offset;
  std::string what, when;  // "503" / "drop" / "delay:MS" / "429:RETRY" ; "N" or "K"
  std::int64_t n = 0;
  if (spec.starts_with("every:")) {
    auto slash = spec.rfind('/');
    if (slash == std::string::npos) return bad("expected every:WHAT/K");
    what = spec.substr(6, slash - 6);
    if (!to_int(spec.substr(slash + 1), n) || n == 0) return bad("K must be a positive integer");
    f.every = n;
  } else {
    auto at = spec.find('@');
    if (at == std::string::npos) return bad("expected WHAT@N");
    what = spec.substr(0, at);
    std::string rest = spec.substr(at + 1);
    if (auto colon = rest.find(':'); colon != std::string::npos) {
      what += rest.substr(colon);  // "delay:MS", "429:RETRY"
      rest.resize(colon);
    }
    if (!to_int(rest, n) || n == 0) return bad("N must be a positive integer");
    f.at = n;
  }
  std::string arg;
  if (auto colon = what.find(':'); colon != std::string::npos) {
    arg = what.substr(colon + 1);
    what.resize(colon);
  }
  std::int64_t v = 0;
  if (what == "drop") {
    f.kind = FaultSpec::Kind::Drop;
  } else if (what == "lost") {
    f.kind = FaultSpec::Kind::Lost;
  } else if (what == "delay") {
    if (!to_int(arg, v)) return bad("delay needs :MS");
    f.kind = FaultSpec::Kind::Delay;
    f.delay_ms = static_cast<int>(v);
  } else if (to_int(what, v) && v >= 400 && v <= 599) {
    f.kind = FaultSpec::Kind::Status;
    f.status = static_cast<int>(v);
    if (!arg.empty()) {
      if (!to_int(arg, v)) return bad("Retry-After must be an integer");
      f.retry_after = static_cast<int>(v);
    }
  } else {
    return bad("unknown fault kind \"" + what + "\" (a status 400-599, drop, lost or delay)");
  }
  return f;
}

}  // namespace

SimResult<std::vector<FaultSpec>> parse_faults(const std::string& text, std::int64_t offset) {
  std::vector<FaultSpec> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    std::string one = text.substr(start, end - start);
    one.erase(0, one.find_first_not_of(' '));
    one.erase(one.find_last_not_of(' ') + 1);
    if (!one.empty()) {
      auto f = parse_one(one, offset);
      if (!f) return std::unexpected(f.error());
      out.push_back(std::move(*f));
    }
    start = end + 1;
  }
  return out;
}

void Faults::add(std::vector<FaultSpec> specs) {
  std::lock_guard lock(mutex_);
  for (auto& s : specs) specs_.push_back(std::move(s));
}

void Faults::clear() {
  std::lock_guard lock(mutex_);
  specs_.clear();
}

std::int64_t Faults::count() const {
  std::lock_guard lock(mutex_);
  return counter_;
}

FaultAction Faults::next() {
  std::lock_guard lock(mutex_);
  const std::int64_t n = ++counter_;
  FaultAction action;
  for (auto& f : specs_) {
    const std::int64_t local = n - f.offset;
    bool hit = (f.at > 0 && local == f.at) || (f.every > 0 && local > 0 && local % f.every == 0);
    if (!hit) continue;
    switch (f.kind) {
      case FaultSpec::Kind::Delay: action.delay_ms += f.delay_ms; break;
      case FaultSpec::Kind::Drop: action.drop = true; action.fault = f.text; break;
      case FaultSpec::Kind::Lost: action.lost = true; action.fault = f.text; break;
      case FaultSpec::Kind::Status:
        if (action.status == 0) {
          action.status = f.status;
          action.retry_after = f.retry_after;
          action.fault = f.text;
        }
        break;
    }
  }
  return action;
}

json Faults::describe() const {
  std::lock_guard lock(mutex_);
  json out = json::array();
  for (auto& f : specs_) out.push_back({{"spec", f.text}, {"offset", f.offset}});
  return {{"faults", out}, {"requests", counter_}};
}

std::optional<int> RateLimiter::admit(std::size_t n) {
  if (limit_ <= 0) return std::nullopt;
  std::lock_guard lock(mutex_);
  auto now = std::chrono::steady_clock::now();
  while (!hits_.empty() && now - hits_.front() >= window_) hits_.pop_front();
  if (hits_.size() + n > static_cast<std::size_t>(limit_)) {
    // Wait until enough of the oldest requests leave the window.
    std::size_t need = hits_.size() + n - static_cast<std::size_t>(limit_);
    auto leaves = need <= hits_.size() ? hits_[need - 1] + window_ : now + window_;
    auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(leaves - now).count();
    return std::max<int>(1, static_cast<int>((wait + 999) / 1000));
  }
  for (std::size_t i = 0; i < n; ++i) hits_.push_back(now);
  return std::nullopt;
}

void Stats::status(int code) {
  std::lock_guard lock(mutex_);
  ++by_status_[code];
}

void Stats::bump(const std::string& counter, std::int64_t by) {
  std::lock_guard lock(mutex_);
  counters_[counter] += by;
}

json Stats::to_json() const {
  std::lock_guard lock(mutex_);
  json statuses = json::object();
  for (auto& [code, n] : by_status_) statuses[std::to_string(code)] = n;
  json out{{"by_status", statuses}};
  for (auto& [k, v] : counters_) out[k] = v;
  return out;
}

}  // namespace crmr::sim
