#include "core/decision/attachment_policy.h"

#include <algorithm>

#include "core/base/ascii.h"

namespace crmr {
namespace {

bool is_blocked(const std::string& ext, const std::vector<std::string>& blocked) {
  if (ext.empty()) return false;
  return std::any_of(blocked.begin(), blocked.end(), [&](const std::string& b) {
    std::string_view entry = b;
    while (!entry.empty() && (entry.front() == '.' || entry.front() == ' '))
      entry.remove_prefix(1);
    while (!entry.empty() && entry.back() == ' ') entry.remove_suffix(1);
    return ascii_lower(std::string(entry)) == ext;
  });
}

}  // namespace

std::string attachment_extension(const std::string& filename) {
  std::string_view name = filename;
  while (!name.empty() && (name.back() == '.' || name.back() == ' ')) name.remove_suffix(1);
  auto dot = name.rfind('.');
  if (dot == std::string_view::npos) return {};
  auto ext = name.substr(dot + 1);
  if (ext.find_first_of("/\\") != std::string_view::npos) return {};
  return ascii_lower(std::string(ext));
}

std::uint64_t base64_size(std::uint64_t bytes) { return 4 * ((bytes + 2) / 3); }

std::vector<AttachmentVerdict> judge_attachments(const Message& msg, const OrgSettings& org,
                                                 std::vector<Step>& steps) {
  std::vector<AttachmentVerdict> out;
  std::size_t left_out = 0;
  for (const auto& a : msg.attachments) {
    AttachmentVerdict v;
    v.filename = a.filename;
    v.bytes = a.size != 0 ? a.size : a.data.size();
    const std::string ext = attachment_extension(a.filename);
    const std::uint64_t encoded = base64_size(v.bytes);
    const std::string shown = a.filename.empty() ? "(unnamed " + a.content_type + ")"
                                                 : "\"" + a.filename + "\"";
    if (is_blocked(ext, org.blocked_extensions)) {
      v.kept = false;
      v.why = "blocked extension ." + ext;
      steps.push_back(Step{"attachments.blocked", true,
                           shown + " left out: its extension ." + ext +
                               " is on the organisation's blocked list (blockedattachments)"});
    } else if (org.max_upload_file_size > 0 &&
               encoded > static_cast<std::uint64_t>(org.max_upload_file_size)) {
      v.kept = false;
      v.why = "base64 size " + std::to_string(encoded) + " bytes over the limit of " +
              std::to_string(org.max_upload_file_size) + " bytes";
      steps.push_back(Step{"attachments.oversize", true,
                           shown + " left out: " + std::to_string(v.bytes) + " bytes are " +
                               std::to_string(encoded) +
                               " in base64, over the organisation limit of " +
                               std::to_string(org.max_upload_file_size) +
                               " bytes (maxuploadfilesize)"});
    }
    if (!v.kept) ++left_out;
    out.push_back(std::move(v));
  }
  steps.push_back(Step{"attachments", left_out > 0,
                       std::to_string(out.size()) + " attachment(s): " +
                           std::to_string(out.size() - left_out) + " kept, " +
                           std::to_string(left_out) + " left out"});
  return out;
}

}  // namespace crmr
