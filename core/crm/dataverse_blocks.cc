#include "core/crm/dataverse_blocks.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <utility>

#include "core/mime/mime_parser.h"
#include "core/crm/dataverse_request.h"
#include "core/base/normalize.h"

namespace crmr::dataverse {
namespace {

Error bad_response(const std::string& what, const std::string& why) {
  return Error{Code::CrmBadResponse, what + ": " + why, "", Scope::Message, Retry::Later};
}

// The "value" list of a collection answer.
Result<nlohmann::json> value_list(const HttpResponse& resp, const std::string& what) {
  auto j = parse_json(resp.body, what);
  if (!j) return std::unexpected(j.error());
  if (!j->is_object() || !j->contains("value") || !(*j)["value"].is_array())
    return std::unexpected(bad_response(what, "the CRM's answer has no \"value\" list"));
  return std::move((*j)["value"]);
}

std::string dump(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

std::string duplicate_query(std::string_view message_id, bool received_only) {
  return "emails?$select=activityid,statecode&$filter=" +
         url_encode("messageid eq " + odata_string(message_id) +
                    (received_only ? " and directioncode eq false" : "")) +
         "&$top=1";
}

Result<std::optional<FoundEmail>> parse_found_email(const HttpResponse& resp, const std::string& what) {
  auto v = value_list(resp, what);
  if (!v) return std::unexpected(v.error());
  if (v->empty()) return std::optional<FoundEmail>{};
  const auto& row = (*v)[0];
  if (!row.is_object() || !row.contains("activityid") || !row["activityid"].is_string())
    return std::unexpected(bad_response(what, "a found e-mail without activityid"));
  FoundEmail f;
  f.activity_id = row["activityid"].get<std::string>();
  if (row.contains("statecode") && row["statecode"].is_number_integer()) f.statecode = row["statecode"].get<int>();
  return std::optional<FoundEmail>{std::move(f)};
}

std::string large_attachments_query(const std::string& activity_id, std::uint64_t over) {
  return "activitymimeattachments?$select=filename,filesize&$filter=" +
         url_encode("_objectid_value eq " + activity_id + " and filesize gt " + std::to_string(over));
}

Result<std::vector<std::size_t>> missing_large(const EmailPlan& p, const HttpResponse& listing,
                                               const std::string& what) {
  auto v = value_list(listing, what);
  if (!v) return std::unexpected(v.error());
  std::map<std::pair<std::string, std::uint64_t>, int> there;
  for (const auto& row : *v) {
    if (!row.is_object() || !row.contains("filename") || !row["filename"].is_string() ||
        !row.contains("filesize") || !row["filesize"].is_number_integer())
      return std::unexpected(bad_response(what, "an attachment without filename or filesize"));
    ++there[{row["filename"].get<std::string>(), row["filesize"].get<std::uint64_t>()}];
  }
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < p.large.size(); ++i) {
    auto it = there.find({p.large[i].filename, p.large[i].size});
    if (it != there.end() && it->second > 0) --it->second;
    else out.push_back(i);
  }
  return out;
}

Result<std::string> large_attachment_data(const PushMessage& m, const LargeAttachment& a,
                                          const ParseLimits& limits) {
  auto bad = [&](const std::string& why) {
    return fail(Code::CrmBadOutbox, "outbox item " + std::to_string(m.id) + " (" + m.key + "): " + why,
                "the message is quarantined; `crm-router quarantine export` keeps its bytes");
  };
  auto parsed = parse_message(m.raw, limits);
  if (!parsed) return bad("its bytes cannot be parsed again: " + parsed.error().message);
  if (a.part >= parsed->attachments.size() || parsed->attachments[a.part].data.size() != a.size)
    return bad("attachment " + a.filename + " is not where its plan found it");
  return std::move(parsed->attachments[a.part].data);
}

nlohmann::json block_target(const LargeAttachment& a, const std::string& activity_id, bool bind_email) {
  nlohmann::json t = {{"@odata.type", "Microsoft.Dynamics.CRM.activitymimeattachment"},
                      {"objecttypecode", "email"},
                      {"filename", a.filename},
                      {"mimetype", a.mimetype}};
  if (!a.content_id.empty()) t["attachmentcontentid"] = a.content_id;
  if (bind_email) t["objectid_email@odata.bind"] = "/emails(" + activity_id + ")";
  else t["objectid_activitypointer@odata.bind"] = "/activitypointers(" + activity_id + ")";
  return t;
}

std::size_t block_count(std::uint64_t size) {
  return std::max<std::size_t>(1, static_cast<std::size_t>((size + kBlockBytes - 1) / kBlockBytes));
}

std::string block_id(std::size_t index) {
  char text[32];
  std::snprintf(text, sizeof text, "block-%06zu", index);
  return base64_encode(text);
}

std::string init_blocks_body(const nlohmann::json& target) { return dump({{"Target", target}}); }

std::string upload_block_body(const std::string& token, std::size_t index, std::string_view data) {
  const std::size_t start = std::min(data.size(), index * kBlockBytes);
  const std::string_view block = data.substr(start, kBlockBytes);
  // Built as text: the block's base64 (about 4 MB) is copied once, not through a json value.
  std::string body = "{\"FileContinuationToken\":" + dump(token) + ",\"BlockId\":" + dump(block_id(index)) +
                     ",\"BlockData\":\"";
  body.reserve(body.size() + (block.size() + 2) / 3 * 4 + 2);
  body += base64_encode(block);
  body += "\"}";
  return body;
}

std::string commit_blocks_body(const std::string& token, std::size_t blocks, const nlohmann::json& target) {
  nlohmann::json list = nlohmann::json::array();
  for (std::size_t i = 0; i < blocks; ++i) list.push_back(block_id(i));
  return dump({{"Target", target}, {"BlockList", std::move(list)}, {"FileContinuationToken", token}});
}

Result<std::string> parse_continuation_token(const HttpResponse& resp, const std::string& what) {
  auto j = parse_json(resp.body, what);
  if (!j) return std::unexpected(j.error());
  if (!j->is_object() || !j->contains("FileContinuationToken") || !(*j)["FileContinuationToken"].is_string() ||
      (*j)["FileContinuationToken"].get<std::string>().empty())
    return std::unexpected(bad_response(what, "no FileContinuationToken in the answer"));
  return (*j)["FileContinuationToken"].get<std::string>();
}

std::string completed_state_body() { return dump({{"statecode", 1}, {"statuscode", 4}}); }

}  // namespace crmr::dataverse
