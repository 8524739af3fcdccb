// Attachments of e-mails: single-request create (activitymimeattachments) and
// the block upload actions, both held to the organisation's
// maxuploadfilesize (base64 size, 0x80044a02) and blockedattachments
// (0x80043e09).
#include "sim_api.h"

namespace crmr::sim {
namespace {

constexpr std::size_t kMaxBlock = 4 * 1024 * 1024;

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto end = text.find(';', start);
    if (end == std::string::npos) end = text.size();
    std::string item = text.substr(start, end - start);
    item.erase(0, item.find_first_not_of(" \t"));
    item.erase(item.find_last_not_of(" \t") + 1);
    if (!item.empty()) out.push_back(item);
    start = end + 1;
  }
  return out;
}

std::string extension(const std::string& filename) {
  auto dot = filename.rfind('.');
  return dot == std::string::npos ? std::string() : lower(filename.substr(dot + 1));
}

SimError blocked_error(const std::string& filename) {
  return {400, codes::kAttachmentBlocked,
          "The attachment is either not a valid type or is too large. It cannot be uploaded or "
          "downloaded. (" + filename + ": extension blocked by the organization)"};
}

SimError too_large_error(std::size_t size, std::int64_t limit) {
  return {400, codes::kAttachmentTooLarge,
          "The attachment is either not a valid type or is too large. It cannot be uploaded or "
          "downloaded. (base64 size " + std::to_string(size) + " exceeds maxuploadfilesize " +
              std::to_string(limit) + ")"};
}

}  // namespace

OrgLimits Api::org_limits() {
  OrgLimits limits;
  auto rows = store_.select(*entity_by_logical("organization"), "", {}, 0, 0, 1);
  json org = rows.empty() ? json::object() : rows[0].data;
  if (org.contains("maxuploadfilesize") && org["maxuploadfilesize"].is_number())
    limits.max_upload = org["maxuploadfilesize"].get<std::int64_t>();
  for (auto& ext : split_list(org.value("blockedattachments", "")))
    limits.blocked.push_back(lower(ext.starts_with('.') ? ext.substr(1) : ext));
  limits.prefixes = split_list(org.value("trackingprefix", "CRM:"));
  return limits;
}

SimResult<std::string> Api::insert_attachment(const json& body) {
  std::string email_id;
  for (const char* key : {"objectid_activitypointer@odata.bind", "objectid_email@odata.bind"}) {
    if (!body.contains(key)) continue;
    auto ref = resolve_bind(key, body[key], "email");
    if (!ref) return std::unexpected(ref.error());
    email_id = ref->second;
  }
  if (email_id.empty())
    return sim_fail(400, codes::kInvalidArgument,
                    "objectid_activitypointer@odata.bind or objectid_email@odata.bind is required");
  const std::string filename = body.value("filename", "");
  const std::string content = body.value("body", "");
  OrgLimits limits = org_limits();
  const std::string ext = extension(filename);
  for (auto& b : limits.blocked)
    if (!ext.empty() && b == ext) return std::unexpected(blocked_error(filename));
  if (!base64_valid(content))
    return sim_fail(400, codes::kInvalidArgument, "body is not valid base64");
  if (static_cast<std::int64_t>(content.size()) > limits.max_upload)
    return std::unexpected(too_large_error(content.size(), limits.max_upload));

  const std::string id = new_guid();
  json data{{"_objectid_value", email_id},
            {"objecttypecode", "email"},
            {"filename", filename},
            {"mimetype", body.value("mimetype", "application/octet-stream")},
            {"body", content},
            {"filesize", base64_decoded_size(content)}};
  for (const char* extra : {"attachmentcontentid", "subject", "attachmentnumber"})
    if (body.contains(extra)) data[extra] = body[extra];
  store_.put(*entity_by_set("activitymimeattachments"), id, std::move(data));
  const EntityInfo& emails = *entity_by_set("emails");
  if (auto email = store_.get(emails, email_id)) {
    (*email)["attachmentcount"] = email->value("attachmentcount", 0) + 1;
    store_.put(emails, email_id, std::move(*email));
  }
  return id;
}

SimResult<SimResponse> Api::init_blocks(const SimRequest& r) {
  auto body = parse_body(r);
  if (!body) return std::unexpected(body.error());
  if (!body->contains("Target") || !(*body)["Target"].is_object())
    return sim_fail(400, codes::kInvalidArgument, "Target (an activitymimeattachment) is required");
  json target = (*body)["Target"];
  bool bound = false;
  for (const char* key : {"objectid_activitypointer@odata.bind", "objectid_email@odata.bind"}) {
    if (!target.contains(key)) continue;
    auto ref = resolve_bind(key, target[key], "email");
    if (!ref) return std::unexpected(ref.error());
    bound = true;
  }
  if (!bound) return sim_fail(400, codes::kInvalidArgument, "Target has no objectid bind");
  const std::string filename = target.value("filename", "");
  const std::string ext = extension(filename);
  for (auto& b : org_limits().blocked)
    if (!ext.empty() && b == ext) return std::unexpected(blocked_error(filename));
  std::string token = new_guid() + new_guid();
  std::erase(token, '-');
  uploads_[token] = UploadSession{target, {}};
  return json_response(
      200, {{"@odata.context",
             r.base_url + "$metadata#Microsoft.Dynamics.CRM.InitializeAttachmentBlocksUploadResponse"},
            {"FileContinuationToken", token}});
}

SimResult<SimResponse> Api::upload_block(const SimRequest& r) {
  auto body = parse_body(r);
  if (!body) return std::unexpected(body.error());
  auto it = uploads_.find(body->value("FileContinuationToken", ""));
  if (it == uploads_.end())
    return sim_fail(400, codes::kInvalidArgument, "unknown or expired FileContinuationToken");
  const std::string block_id = body->value("BlockId", "");
  const std::string data = body->value("BlockData", "");
  if (block_id.empty() || !base64_valid(block_id))
    return sim_fail(400, codes::kInvalidArgument, "BlockId must be a non-empty base64 string");
  if (!it->second.blocks.empty() && it->second.blocks.begin()->first.size() != block_id.size())
    return sim_fail(400, codes::kInvalidArgument,
                    "all BlockIds of one upload must have the same length");
  if (!base64_valid(data)) return sim_fail(400, codes::kInvalidArgument, "BlockData is not base64");
  std::string bytes = base64_decode(data);
  if (bytes.size() >= kMaxBlock)
    return sim_fail(400, codes::kBlockTooLarge,
                    "A block must be smaller than 4 MB; got " + std::to_string(bytes.size()) +
                        " bytes.");
  it->second.blocks[block_id] = std::move(bytes);
  ++upload_blocks_;
  return SimResponse(empty_response(204));
}

SimResult<SimResponse> Api::commit_blocks(const SimRequest& r) {
  auto body = parse_body(r);
  if (!body) return std::unexpected(body.error());
  auto it = uploads_.find(body->value("FileContinuationToken", ""));
  if (it == uploads_.end())
    return sim_fail(400, codes::kInvalidArgument, "unknown or expired FileContinuationToken");
  if (!body->contains("BlockList") || !(*body)["BlockList"].is_array())
    return sim_fail(400, codes::kInvalidArgument, "BlockList (array of BlockIds) is required");
  std::string bytes;
  for (auto& id : (*body)["BlockList"]) {
    auto block = it->second.blocks.find(id.is_string() ? id.get<std::string>() : "");
    if (block == it->second.blocks.end())
      return sim_fail(400, codes::kInvalidArgument, "BlockList names a block never uploaded");
    bytes += block->second;
  }
  json target = it->second.target;
  if (body->contains("Target") && (*body)["Target"].is_object())
    for (auto& [k, v] : (*body)["Target"].items()) target[k] = v;
  target["body"] = base64_encode(bytes);
  uploads_.erase(it);
  auto id = insert_attachment(target);
  if (!id) return std::unexpected(id.error());
  ++block_commits_;
  return json_response(
      200, {{"@odata.context",
             r.base_url + "$metadata#Microsoft.Dynamics.CRM.CommitAttachmentBlocksUploadResponse"},
            {"ActivityMimeAttachmentId", *id},
            {"FileSizeInBytes", bytes.size()}});
}

}  // namespace crmr::sim
