#include "sim_expand.h"

namespace crmr::sim {
namespace {

// The activity parties as an entity for $filter (their table is `parties`).
const EntityInfo kParties{"activityparties", "activityparty", "parties", "activitypartyid"};

constexpr std::string_view kNav = "email_activity_parties";

std::string trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return std::string(s);
}

}  // namespace

SimResult<PartiesExpand> parse_expand(const EntityInfo& entity, std::string_view text) {
  PartiesExpand x;
  std::string t = trim(text);
  if (t.empty()) return x;
  if (std::string(entity.logical) != "email" || !t.starts_with(kNav) ||
      (t.size() > kNav.size() && t[kNav.size()] != '('))
    return sim_fail(400, codes::kBadQuery,
                    "$expand '" + t + "' is not supported (the simulator expands "
                    "email_activity_parties of emails only)");
  x.on = true;
  if (t.size() == kNav.size()) return x;
  if (t.back() != ')') return sim_fail(400, codes::kBadQuery, "$expand: missing ')'");
  std::string inner = t.substr(kNav.size() + 1, t.size() - kNav.size() - 2);
  std::size_t at = 0;
  while (at <= inner.size()) {
    auto semi = inner.find(';', at);
    std::string opt = trim(inner.substr(at, semi == std::string::npos ? std::string::npos : semi - at));
    if (opt.starts_with("$select=")) {
      x.select = parse_select(opt.substr(8));
    } else if (opt.starts_with("$filter=")) {
      auto f = parse_filter(kParties, opt.substr(8));
      if (!f) return std::unexpected(f.error());
      x.filter = std::move(*f);
    } else if (!opt.empty()) {
      return sim_fail(400, codes::kBadQuery, "$expand option '" + opt + "' is not supported");
    }
    if (semi == std::string::npos) break;
    at = semi + 1;
  }
  return x;
}

json expand_parties(SimStore& store, const PartiesExpand& x, const std::string& activityid) {
  json out = json::array();
  for (auto& p : store.parties_where(activityid, x.filter.where, x.filter.binds)) {
    if (x.select.empty()) {
      out.push_back(std::move(p));
      continue;
    }
    json row = json::object();
    for (const auto& f : x.select) row[f] = p.value(f, json(nullptr));
    row["activitypartyid"] = p["activitypartyid"];
    out.push_back(std::move(row));
  }
  return out;
}

}  // namespace crmr::sim
