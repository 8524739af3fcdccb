#include "core/engine/mailbox_listing.h"

#include <unordered_set>

#include "core/mime/mime_parser.h"

namespace crmr {
namespace {

// `ids` (no persistent UIDs: POP3) split by the Date header against `since`, headers read with TOP.
Status split_by_date(MailboxSession& s, std::int64_t since, FolderListing& out,
                     std::vector<std::string> ids) {
  std::unordered_set<std::string> old;
  auto st = s.fetch_headers(ids, [&](RemoteMessage&& h) -> Status {
    if (h.bytes.find("\r\n\r\n") == std::string::npos && h.bytes.find("\n\n") == std::string::npos)
      h.bytes += "\r\n";  // header only: end it, so the parser reads no body into it
    auto msg = parse_message(h.bytes);
    if (msg && msg->date && *msg->date < since) old.insert(h.id);
    return {};
  });
  if (!st) return st;
  for (auto& id : ids) (old.contains(id) ? out.skipped_by_date : out.ids).push_back(std::move(id));
  return {};
}

}  // namespace

Result<FolderListing> list_folder(MailboxSession& s, const MailboxSettings& m,
                                  const StateStore& store, const FetchStart& start) {
  return list_folder(s, m, [&] { return store.pop3_seen(m.name); }, start);
}

Result<FolderListing> list_folder(MailboxSession& s, const MailboxSettings& /*m*/,
                                  const ReadSeen& read_seen, const FetchStart& start) {
  auto listed = s.list_ids(start.after_uid, start.since);
  if (!listed) return std::unexpected(listed.error());
  FolderListing out;
  out.warnings = std::move(listed->warnings);
  if (s.caps().persistent_uids) {
    out.ids = std::move(listed->ids);
    out.skipped_by_date = std::move(listed->skipped_by_date);
    return out;
  }
  auto seen_list = read_seen();
  if (!seen_list) return std::unexpected(seen_list.error());
  std::unordered_set<std::string> seen(seen_list->begin(), seen_list->end());
  std::unordered_set<std::string> on_server(listed->ids.begin(), listed->ids.end());
  std::vector<std::string> fresh;
  for (auto& id : listed->ids)
    if (start.reread || !seen.contains(id)) fresh.push_back(std::move(id));
  for (const auto& id : *seen_list)
    if (!on_server.contains(id)) out.gone.push_back(id);
  if (!start.since || fresh.empty()) {
    out.ids = std::move(fresh);
    return out;
  }
  if (auto st = split_by_date(s, *start.since, out, std::move(fresh)); !st)
    return std::unexpected(st.error());
  return out;
}

}  // namespace crmr
