#include "sim_api.h"
#include "sim_odata.h"

namespace crmr::sim {
namespace {

// The one place exceptions of SQLite (StoreFailure) and nlohmann::json are
// caught for API work: a failed store answers 500, a JSON value of the wrong
// type 400.
template <class F>
SimResponse guarded(F&& f) {
  try {
    return f();
  } catch (const StoreFailure& e) {
    return error_response({500, codes::kUnexpected, std::string("store failure: ") + e.what()});
  } catch (const json::exception& e) {
    return error_response({400, codes::kInvalidArgument, std::string("bad value: ") + e.what()});
  }
}

constexpr const char* kActionPrefix = "Microsoft.Dynamics.CRM.";

}  // namespace

std::optional<std::pair<std::string, std::string>> parse_entity_ref(std::string_view ref) {
  auto open = ref.rfind('(');
  if (open == std::string_view::npos || ref.empty() || ref.back() != ')') return std::nullopt;
  auto slash = ref.rfind('/', open);
  std::string_view set = ref.substr(slash == std::string_view::npos ? 0 : slash + 1,
                                    open - (slash == std::string_view::npos ? 0 : slash + 1));
  std::string_view id = ref.substr(open + 1, ref.size() - open - 2);
  if (auto eq = id.find('='); eq != std::string_view::npos) id = id.substr(eq + 1);
  if (set.empty() || !is_guid(id)) return std::nullopt;
  return std::pair{std::string(set), lower(id)};
}

SimResponse Api::handle(const SimRequest& request) {
  std::lock_guard lock(store_.mutex());
  return guarded([&] {
    store_.savepoint("req");
    SimResponse response = handle_locked(request);
    if (response.status >= 400)
      store_.rollback_to("req");
    else
      store_.release("req");
    return response;
  });
}

SimResponse Api::handle_locked(const SimRequest& request) {
  return guarded([&] {
    auto result = dispatch(request);
    return result ? std::move(*result) : error_response(result.error());
  });
}

SimResult<SimResponse> Api::dispatch(const SimRequest& r) {
  std::string path = r.path;
  while (!path.empty() && path.front() == '/') path.erase(0, 1);
  if (path.starts_with(kActionPrefix)) path.erase(0, std::string_view(kActionPrefix).size());
  const std::string& m = r.method;

  if (path == "WhoAmI" && m == "GET") {
    auto users = store_.select(*entity_by_logical("systemuser"), "", {}, 0, 0, 1);
    auto orgs = store_.select(*entity_by_logical("organization"), "", {}, 0, 0, 1);
    return json_response(
        200, {{"@odata.context", r.base_url + "$metadata#Microsoft.Dynamics.CRM.WhoAmIResponse"},
              {"UserId", users.empty() ? json("00000000-0000-0000-0000-000000000001")
                                       : users[0].data["systemuserid"]},
              {"BusinessUnitId", "00000000-0000-0000-0000-0000000000b1"},
              {"OrganizationId", orgs.empty() ? json(nullptr) : orgs[0].data["organizationid"]}});
  }
  if (path.starts_with("CheckIncomingEmail(") && path.ends_with(")")) {
    if (m != "GET") return sim_fail(405, codes::kBadQuery, "CheckIncomingEmail is a function (GET)");
    return check_incoming_email(path.substr(19, path.size() - 20), r);
  }
  if (path == "emails/Microsoft.Dynamics.CRM.DeliverIncomingEmail" ||
      path == "DeliverIncomingEmail") {
    if (m != "POST") return sim_fail(405, codes::kBadQuery, "DeliverIncomingEmail is an action");
    return deliver_incoming_email(r);
  }
  if (path == "ApplyRecordCreationAndUpdateRule") {
    if (m != "POST") return sim_fail(405, codes::kBadQuery, "ApplyRecordCreationAndUpdateRule is an action");
    return apply_record_rules(r);
  }
  if (path.starts_with("queues(") && path.ends_with(")/Microsoft.Dynamics.CRM.AddToQueue")) {
    auto ref = parse_entity_ref(path.substr(0, path.find(')') + 1));
    if (!ref) return sim_fail(400, codes::kBadQuery, "Bad key in the resource path '" + path + "'");
    return add_to_queue(ref->second, r);
  }
  if (path == "InitializeAttachmentBlocksUpload" && m == "POST") return init_blocks(r);
  if (path == "UploadBlock" && m == "POST") return upload_block(r);
  if (path == "CommitAttachmentBlocksUpload" && m == "POST") return commit_blocks(r);

  std::string set = path, id;
  if (auto open = path.find('('); open != std::string::npos) {
    auto ref = parse_entity_ref(path);
    if (!ref || path.find('/') != std::string::npos)
      return sim_fail(400, codes::kBadQuery, "Bad key in the resource path '" + path + "'");
    set = ref->first;
    id = ref->second;
  }
  const EntityInfo* e = entity_by_set(set);
  if (!e) return sim_fail(404, codes::kBadQuery, "Resource not found for the segment '" + set + "'.");
  const std::string logical = e->logical;

  if (id.empty()) {
    if (m == "GET") return get_collection(*e, r);
    if (m != "POST") return sim_fail(405, codes::kBadQuery, m + " is not allowed on " + set);
    if (logical == "email") {
      auto body = parse_body(r);
      if (!body) return std::unexpected(body.error());
      auto created_id = insert_email(std::move(*body));
      if (!created_id) return std::unexpected(created_id.error());
      return created(*e, *created_id, r);
    }
    if (logical == "activitymimeattachment") {
      auto body = parse_body(r);
      if (!body) return std::unexpected(body.error());
      auto created_id = insert_attachment(*body);
      if (!created_id) return std::unexpected(created_id.error());
      ++attachment_posts_;
      return created(*e, *created_id, r);
    }
    if (logical == "activitypointer") return sim_fail(405, codes::kBadQuery, "create emails instead");
    if (logical == "queueitem") return create_queue_item(r);
    return create_record(*e, r);
  }
  if (m == "GET") return get_record(*e, id, r);
  if (m == "PATCH" || m == "PUT") {
    if (logical == "email" || logical == "activitypointer") return patch_email(id, r);
    return patch_record(*e, id, r);
  }
  if (m == "DELETE") return delete_record(*e, id);
  return sim_fail(405, codes::kBadQuery, m + " is not allowed on " + path);
}

SimResponse Api::created(const EntityInfo& e, const std::string& id, const SimRequest& r) {
  const EntityInfo& shown = std::string(e.logical) == "activitypointer" ? *entity_by_set("emails") : e;
  std::string url = r.base_url + shown.set + "(" + id + ")";
  SimResponse response;
  if (r.prefers("return=representation")) {
    auto data = store_.get(shown, id);
    json row = data ? *data : json::object();
    row = project(shown, row, {}, r.prefers("odata.include-annotations"));
    auto select = r.param("$select");
    if (!select.empty()) {
      json picked = json::object();
      for (auto& f : parse_select(select)) picked[f] = row.value(f, json(nullptr));
      picked[shown.key] = id;
      if (row.contains("@odata.etag")) picked["@odata.etag"] = row["@odata.etag"];
      row = std::move(picked);
    }
    row["@odata.context"] = r.base_url + "$metadata#" + shown.set + "/$entity";
    response = json_response(201, row);
    response.set_header("Preference-Applied", "return=representation");
  } else {
    response = empty_response(204);
  }
  response.set_header("OData-EntityId", url);
  return response;
}

json Api::counters() const {
  return {{"ignored_readonly_fields", ignored_readonly_.load()},
          {"attachment_posts", attachment_posts_.load()},
          {"upload_blocks", upload_blocks_.load()},
          {"block_commits", block_commits_.load()},
          {"queue_items", queue_items_.load()},
          {"rules_applied", rules_applied_.load()},
          {"cases_created", cases_created_.load()}};
}

json Api::dump_emails(bool with_bodies) {
  std::lock_guard lock(store_.mutex());
  json out = json::array();
  auto emails = store_.select(*entity_by_set("emails"), "", {}, 0, 0, -1);
  for (auto& row : emails) {
    json e = row.data;
    const std::string id = e.value("activityid", "");
    e["email_activity_parties"] = store_.parties_of(id);
    e["attachments"] = store_.attachments_of(id, with_bodies);
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace crmr::sim
