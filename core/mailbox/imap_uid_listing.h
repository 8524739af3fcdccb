// Listing the UIDs of a selected IMAP folder without trusting one answer:
// UID SEARCH over a range bounded by UIDNEXT-1 (never "n:*", which GNU
// Mailutils answers with no UIDs), its count checked against the folder's
// EXISTS by sequence number, and a FETCH 1:n (UID) by sequence number when
// they disagree. Internal to core/mailbox; ImapSession::list_ids uses it.
//
// The check: sequence numbers are dense and ordered by UID, so k UIDs above
// `after_uid` are exactly the last k of the messages present at SELECT.
// One FETCH of two sequence numbers (E-k and E-k+1) confirms it: the first
// must have a UID <= after_uid, the second the lowest UID the search gave.
// It is skipped when the search listed every UID of the range (at most
// EXISTS of them): then no message above after_uid can be missing.
//
// Failure: an I/O or protocol error, or a NO/BAD to the fallback FETCH, is an
// Error (Scope::Mailbox): no listing is better than an empty one.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/mailbox/imap_parser.h"
#include "core/mailbox_session.h"

namespace crmr {

// The commands a listing sends, through the session that owns the connection.
class ImapExchange {
 public:
  virtual ~ImapExchange() = default;
  // Send `cmd`, pass each untagged response to `on`, return the tagged one.
  virtual Result<ImapResponse> exchange(std::string_view cmd,
                                        const std::function<void(ImapResponse&)>& on) = 0;
  // "NO [code] text" of a refused command, as an Error naming the server.
  virtual Error refused(const std::string& what, const ImapResponse& r) const = 0;
};

// What the session knows of the selected folder, kept current by it as
// EXISTS and EXPUNGE responses arrive.
struct SelectedFolder {
  std::uint32_t uidnext = 0;       // from SELECT (or STATUS); 0 when the server gave none
  std::uint32_t at_select = 0;     // messages present at SELECT and not expunged since
  std::uint32_t exists = 0;        // messages now (EXISTS)
};

// UIDs in (after_uid, UIDNEXT-1] of the selected folder, ascending; with
// `since`, those SEARCH SINCE leaves out go to skipped_by_date.
Result<IdListing> list_uids(ImapExchange& x, const SelectedFolder& f, std::uint32_t after_uid,
                            std::optional<std::int64_t> since);

}  // namespace crmr
