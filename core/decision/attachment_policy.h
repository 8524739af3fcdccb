// Attachment verdicts (crm-router(1) ROUTING, hygiene): which attachments go to the CRM and
// which are left out (and noted on the activity) under the organisation's
// blocked-extension list and upload size limit.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/decision/decision.h"
#include "core/message.h"

namespace crmr {

// Lower-cased extension after the last dot, ignoring trailing dots and spaces
// (Windows drops them: "evil.exe. " opens as .exe); "" when there is none.
std::string attachment_extension(const std::string& filename);

// Size of `bytes` bytes in base64 (4 * ceil(bytes / 3)), the measure of maxuploadfilesize.
std::uint64_t base64_size(std::uint64_t bytes);

// One verdict per attachment, in order: blocked extension first, then the size
// limit, else kept. Appends a step per attachment left out and one summary step.
std::vector<AttachmentVerdict> judge_attachments(const Message& msg, const OrgSettings& org,
                                                 std::vector<Step>& steps);

}  // namespace crmr
