// The block upload of large attachments (Dataverse Web API, attachment blocks):
//   POST InitializeAttachmentBlocksUpload {"Target": <activitymimeattachment>}
//        -> FileContinuationToken
//   POST UploadBlock {BlockId, BlockData, FileContinuationToken}  per block
//        (blocks under 4 MB, block ids of equal length)
//   POST CommitAttachmentBlocksUpload {Target, BlockList, FileContinuationToken}
// and what push needs around it to resume: the duplicate check that also
// reads the e-mail's state, and the listing of the large attachments an open
// e-mail already has. Pure request building and answer reading; the push
// state machine (dataverse_push_blocks.cc) sends them through the Session.
//
// Failure: an answer that is not what the Web API documents is an Error
// "crm.bad_response", Retry::Later; attachment bytes that cannot be read
// again from the outbox item are "crm.bad_outbox", Retry::Never.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/crm/dataverse_email.h"
#include "core/crm/dataverse_http.h"
#include "core/result.h"

namespace crmr::dataverse {

// Decoded bytes per block: under 4 MB whether MB means 10^6 or 2^20.
inline constexpr std::size_t kBlockBytes = 3u * 1024 * 1024;

// statecode of an open e-mail activity.
inline constexpr int kStateOpen = 0;

// What the duplicate check found.
struct FoundEmail {
  std::string activity_id;
  int statecode = -1;  // 0 open, 1 completed, ...; -1 when not answered
};

// "emails?$select=activityid,statecode&$filter=messageid eq '...'&$top=1";
// `received_only` adds "and directioncode eq false" (a sent copy with the
// same messageid is not this message's e-mail).
std::string duplicate_query(std::string_view message_id, bool received_only = false);
// The first e-mail of the answer to duplicate_query, or nullopt.
Result<std::optional<FoundEmail>> parse_found_email(const HttpResponse& resp, const std::string& what);

// "activitymimeattachments?$select=filename,filesize&$filter=_objectid_value
// eq <id> and filesize gt <over>": the attachments of e-mail `activity_id`
// that may be block uploads (few, so one page).
std::string large_attachments_query(const std::string& activity_id, std::uint64_t over);
// Indexes into `p.large` of the attachments the listing does not hold yet,
// matched by filename and size; two equal ones need two in the listing.
Result<std::vector<std::size_t>> missing_large(const EmailPlan& p, const HttpResponse& listing,
                                               const std::string& what);

// The decoded bytes of `a`, parsed again from outbox item `m`.
Result<std::string> large_attachment_data(const PushMessage& m, const LargeAttachment& a,
                                          const ParseLimits& limits);

// The activitymimeattachment of `a` bound to e-mail `activity_id`
// (objectid_email when `bind_email`, else objectid_activitypointer).
nlohmann::json block_target(const LargeAttachment& a, const std::string& activity_id, bool bind_email);

// Blocks of `size` decoded bytes (at least one).
std::size_t block_count(std::uint64_t size);
// Block id `index`: base64 of "block-NNNNNN", the same length for every index.
std::string block_id(std::size_t index);

// Request bodies (JSON text).
std::string init_blocks_body(const nlohmann::json& target);
// Block `index` of `data` (kBlockBytes each, the last one shorter).
std::string upload_block_body(const std::string& token, std::size_t index, std::string_view data);
std::string commit_blocks_body(const std::string& token, std::size_t blocks, const nlohmann::json& target);

// The FileContinuationToken of an InitializeAttachmentBlocksUpload answer.
Result<std::string> parse_continuation_token(const HttpResponse& resp, const std::string& what);

// The PATCH body that completes a received e-mail: Completed / Received.
std::string completed_state_body();

}  // namespace crmr::dataverse
