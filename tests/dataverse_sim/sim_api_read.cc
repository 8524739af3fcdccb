// Reads (collections with $select/$filter/$top, paging, change tracking) and
// the generic create/update/delete of the non-activity entity sets.
#include <algorithm>
#include <charconv>

#include "sim_api.h"
#include "sim_expand.h"
#include "sim_odata.h"

namespace crmr::sim {
namespace {

constexpr std::int64_t kDefaultPageSize = 5000;

std::int64_t prefer_int(const SimRequest& r, std::string_view key, std::int64_t fallback) {
  std::string prefer = lower(r.header("Prefer"));
  auto at = prefer.find(key);
  if (at == std::string::npos) return fallback;
  at = prefer.find('=', at);
  if (at == std::string::npos) return fallback;
  std::int64_t v = 0;
  auto begin = prefer.data() + at + 1;
  auto [ptr, ec] = std::from_chars(begin, prefer.data() + prefer.size(), v);
  return ec == std::errc() && v > 0 ? v : fallback;
}

// The query string of a link: the given options plus extra ones.
std::string link_query(const SimRequest& r, std::initializer_list<const char*> keep,
                       const std::string& extra) {
  std::string q;
  for (const char* k : keep) {
    auto v = r.param(k);
    if (v.empty()) continue;
    q += (q.empty() ? "?" : "&") + std::string(k) + "=" + percent_encode(v);
  }
  return q + (q.empty() ? "?" : "&") + extra;
}

bool parse_int(const std::string& text, std::int64_t& out) {
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && ptr == text.data() + text.size();
}

}  // namespace

SimResult<SimResponse> Api::get_collection(const EntityInfo& e, const SimRequest& r) {
  for (auto& [k, v] : r.query)
    if (k.starts_with('$') && k != "$select" && k != "$filter" && k != "$top" &&
        k != "$skiptoken" && k != "$deltatoken" && k != "$count" && k != "$expand")
      return sim_fail(400, codes::kBadQuery, "The query option '" + k + "' is not supported.");
  if (r.has_param("$deltatoken")) return get_delta(e, r);

  const bool track = r.prefers("odata.track-changes");
  if (track && (r.has_param("$filter") || r.has_param("$top") || r.has_param("$orderby") ||
                r.has_param("$expand")))
    return sim_fail(400, codes::kBadQuery,
                    "Change tracking (odata.track-changes) cannot be combined with $filter, "
                    "$orderby, $top or $expand.");
  auto filter = parse_filter(e, r.param("$filter"));
  if (!filter) return std::unexpected(filter.error());
  auto select = parse_select(r.param("$select"));
  if (std::string(e.logical) == "email")
    for (const auto& f : select)
      if (!is_email_column(f))
        return sim_fail(400, codes::kBadQuery,
                        "Could not find a property named '" + f +
                            "' on type 'Microsoft.Dynamics.CRM.email'.");
  const bool annotations = r.prefers("odata.include-annotations");
  auto expand = parse_expand(e, r.param("$expand"));
  if (!expand) return std::unexpected(expand.error());

  std::int64_t top = -1;
  if (r.has_param("$top") && (!parse_int(r.param("$top"), top) || top < 0))
    return sim_fail(400, codes::kBadQuery, "$top must be a non-negative integer");
  const std::int64_t page = prefer_int(r, "odata.maxpagesize", kDefaultPageSize);
  std::int64_t after = 0;
  if (r.has_param("$skiptoken") && !parse_int(r.param("$skiptoken"), after))
    return sim_fail(400, codes::kBadQuery, "bad $skiptoken");

  const std::int64_t version_at_start = store_.current_version();
  const std::int64_t want = top >= 0 ? top : page;
  auto rows = store_.select_served(e, filter->where, filter->binds, after, 0,
                                   top >= 0 ? want : want + 1);
  bool more = top < 0 && static_cast<std::int64_t>(rows.size()) > page;
  if (more) rows.resize(static_cast<std::size_t>(page));

  json value = json::array();
  for (auto& row : rows) {
    json item = project(e, row.data, select, annotations);
    if (expand->on)
      item["email_activity_parties"] =
          expand_parties(store_, *expand, row.data.value(e.key, std::string()));
    value.push_back(std::move(item));
  }
  json body{{"@odata.context", r.base_url + "$metadata#" + e.set +
                                   (select.empty() ? "" : "(" + r.param("$select") + ")")},
            {"value", std::move(value)}};
  if (more) {
    body["@odata.nextLink"] =
        r.base_url + e.set +
        link_query(r, {"$select", "$filter", "$expand"}, "$skiptoken=" + std::to_string(rows.back().rowid));
  } else if (track) {
    body["@odata.deltaLink"] =
        r.base_url + e.set +
        link_query(r, {"$select"},
                   "$deltatoken=" + std::to_string(version_at_start) + "%21" +
                       std::to_string(now_unix()));
  }
  SimResponse response = json_response(200, body);
  std::string applied;
  if (r.prefers("odata.maxpagesize")) applied = "odata.maxpagesize=" + std::to_string(page);
  if (track) applied += std::string(applied.empty() ? "" : ",") + "odata.track-changes";
  if (annotations) applied += std::string(applied.empty() ? "" : ",") + "odata.include-annotations=\"*\"";
  if (!applied.empty()) response.set_header("Preference-Applied", applied);
  return response;
}

SimResult<SimResponse> Api::get_delta(const EntityInfo& e, const SimRequest& r) {
  const std::string token = r.param("$deltatoken");
  auto bang = token.find('!');
  std::int64_t version = 0, issued = 0;
  if (bang == std::string::npos || !parse_int(token.substr(0, bang), version) ||
      !parse_int(token.substr(bang + 1), issued))
    return sim_fail(400, codes::kBadQuery, "bad $deltatoken '" + token + "'");
  if (now_unix() - issued > config_.delta_token_ttl)
    return sim_fail(config_.delta_expired_status, codes::kDeltaTokenExpired,
                    "Version stamp associated with the client has expired. Please perform a "
                    "full sync.");
  auto select = parse_select(r.param("$select"));
  const std::int64_t now_version = store_.current_version();
  json value = json::array();
  for (auto& row : store_.select(e, "", {}, 0, version, -1))
    value.push_back(project(e, row.data, select, r.prefers("odata.include-annotations")));
  for (auto& id : store_.deleted_since(e, version))
    value.push_back({{"@odata.context", r.base_url + "$metadata#" + e.set + "/$deletedEntity"},
                     {"id", id},
                     {"reason", "deleted"}});
  json body{{"@odata.context", r.base_url + "$metadata#" + e.set +
                                   (select.empty() ? "" : "(" + r.param("$select") + ")") +
                                   "/$delta"},
            {"value", std::move(value)},
            {"@odata.deltaLink",
             r.base_url + e.set +
                 link_query(r, {"$select"},
                            "$deltatoken=" + std::to_string(now_version) + "%21" +
                                std::to_string(now_unix()))}};
  return json_response(200, body);
}

SimResult<SimResponse> Api::get_record(const EntityInfo& e, const std::string& id,
                                       const SimRequest& r) {
  const EntityInfo& real = std::string(e.logical) == "activitypointer" ? *entity_by_set("emails") : e;
  auto data = store_.get(real, id);
  if (!data) return std::unexpected(missing(real.logical, id));
  json row = project(real, *data, parse_select(r.param("$select")),
                     r.prefers("odata.include-annotations"));
  row["@odata.context"] = r.base_url + "$metadata#" + real.set + "/$entity";
  return json_response(200, row);
}

SimResult<SimResponse> Api::create_record(const EntityInfo& e, const SimRequest& r) {
  auto body = parse_body(r);
  if (!body) return std::unexpected(body.error());
  std::string id = body->contains(e.key) ? lower(body->at(e.key).get<std::string>()) : new_guid();
  if (!is_guid(id)) return sim_fail(400, codes::kInvalidArgument, std::string(e.key) + " must be a GUID");
  if (store_.exists(e, id))
    return sim_fail(config_.duplicate_status, codes::kDuplicateKey, "Cannot insert duplicate key.");
  json data = json::object();
  for (auto& [k, v] : body->items()) {
    if (k.ends_with("@odata.bind")) {
      auto ref = resolve_bind(k, v, nullptr);
      if (!ref) return std::unexpected(ref.error());
      std::string name = k.substr(0, k.find('@'));
      data["_" + name + "_value"] = ref->second;
      data["_" + name + "_value@Microsoft.Dynamics.CRM.lookuplogicalname"] = ref->first;
    } else {
      data[k] = v;
    }
  }
  if (!data.contains("statecode") && std::string(e.logical) != "organization") data["statecode"] = 0;
  store_.put(e, id, std::move(data));
  return created(e, id, r);
}

SimResult<SimResponse> Api::patch_record(const EntityInfo& e, const std::string& id,
                                         const SimRequest& r) {
  auto body = parse_body(r);
  if (!body) return std::unexpected(body.error());
  auto data = store_.get(e, id);
  if (!data) {
    if (r.header("If-Match") == "*") return std::unexpected(missing(e.logical, id));
    data = json::object();  // PATCH is an upsert unless If-Match: *
  }
  for (auto& [k, v] : body->items())
    if (!k.ends_with("@odata.bind")) (*data)[k] = v;
  store_.put(e, id, std::move(*data));
  return SimResponse(empty_response(204));
}

SimResult<SimResponse> Api::delete_record(const EntityInfo& e, const std::string& id) {
  const EntityInfo& real = std::string(e.logical) == "activitypointer" ? *entity_by_set("emails") : e;
  if (!store_.remove(real, id)) return std::unexpected(missing(real.logical, id));
  return SimResponse(empty_response(204));
}

}  // namespace crmr::sim
