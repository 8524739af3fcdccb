// UID listing of a selected IMAP folder; see imap_uid_listing.h.
#include "core/mailbox/imap_uid_listing.h"

#include <algorithm>
#include <map>
#include <set>

namespace crmr {
namespace {

std::string seq_range(std::uint32_t lo, std::uint32_t hi) {
  return lo == hi ? std::to_string(lo) : std::to_string(lo) + ":" + std::to_string(hi);
}

// The day (days since 1970) of an INTERNALDATE's date part, its zone
// disregarded, as SEARCH SINCE compares (RFC 3501 6.4.4).
std::optional<std::int64_t> internal_day(std::string_view text) {
  while (text.starts_with(' ')) text.remove_prefix(1);
  auto t = parse_internal_date(std::string(text.substr(0, text.find(' '))) + " 00:00:00 +0000");
  if (!t) return std::nullopt;
  return *t / 86400;
}

std::int64_t day_of(std::int64_t unix_seconds) {
  return (unix_seconds >= 0 ? unix_seconds : unix_seconds - 86399) / 86400;
}

// UIDs in (after, top] from the SEARCH responses to `cmd`, ascending, unique.
Result<std::vector<std::uint32_t>> search(ImapExchange& x, const std::string& cmd,
                                          std::uint32_t after, std::uint32_t top) {
  std::vector<std::uint32_t> uids;
  auto r = x.exchange(cmd, [&](ImapResponse& u) {
    if (u.keyword != "SEARCH") return;
    for (const auto& v : u.values)
      if (auto n = v.number(); n && *n > after && *n <= top) uids.push_back(*n);
  });
  if (!r) return std::unexpected(r.error());
  if (r->status != "OK") return std::unexpected(x.refused(cmd, *r));
  std::sort(uids.begin(), uids.end());
  uids.erase(std::unique(uids.begin(), uids.end()), uids.end());
  return uids;
}

struct SeqInfo {
  std::uint32_t uid = 0;
  std::optional<std::int64_t> day;  // of INTERNALDATE, when asked for
};

// "FETCH <set> (UID[ INTERNALDATE])": sequence number -> UID (and day).
// A NO/BAD is returned as `refused` set and an empty map.
Result<std::map<std::uint32_t, SeqInfo>> fetch_by_sequence(ImapExchange& x, const std::string& set,
                                                           bool dates,
                                                           std::optional<Error>* refused) {
  std::map<std::uint32_t, SeqInfo> out;
  std::string cmd = "FETCH " + set + (dates ? " (UID INTERNALDATE)" : " (UID)");
  auto r = x.exchange(cmd, [&](ImapResponse& u) {
    if (u.keyword != "FETCH" || !u.number) return;
    const ImapValue* uid = fetch_item(u, "UID");
    if (!uid || !uid->number()) return;
    SeqInfo info{*uid->number(), std::nullopt};
    if (const ImapValue* d = fetch_item(u, "INTERNALDATE"); d && d->type == ImapValue::Type::String)
      info.day = internal_day(d->text);
    out[*u.number] = info;
  });
  if (!r) return std::unexpected(r.error());
  if (r->status != "OK") {
    if (refused) *refused = x.refused(cmd, *r);
    out.clear();
  }
  return out;
}

// Whether `uids` (ascending, all above `after`) are as many as the messages
// above `after` by sequence number: see the header.
Result<bool> agrees_with_exists(ImapExchange& x, const SelectedFolder& f,
                                const std::vector<std::uint32_t>& uids, std::uint32_t after) {
  const std::uint32_t e = f.at_select;
  const auto k = static_cast<std::uint32_t>(std::min<std::size_t>(uids.size(), UINT32_MAX));
  if (k > e) return false;
  if (e == 0) return true;
  const std::uint32_t below = e - k;  // the last message at or under `after`, if any
  const std::uint32_t first = below + 1;  // the first above it, if any
  std::string set = below >= 1 && k >= 1 ? seq_range(below, first)
                                         : std::to_string(below >= 1 ? below : first);
  auto seen = fetch_by_sequence(x, set, false, nullptr);
  if (!seen) return std::unexpected(seen.error());
  if (below >= 1 && (!seen->contains(below) || seen->at(below).uid > after)) return false;
  if (k >= 1 && (!seen->contains(first) || seen->at(first).uid != uids.front())) return false;
  return true;
}

}  // namespace

Result<IdListing> list_uids(ImapExchange& x, const SelectedFolder& f, std::uint32_t after_uid,
                            std::optional<std::int64_t> since) {
  IdListing out;
  if (after_uid == UINT32_MAX) return out;
  std::uint32_t top = f.uidnext > 0 ? f.uidnext - 1 : 0;
  if (f.uidnext == 0) {
    // No UIDNEXT from SELECT or STATUS: the last message's UID bounds the range.
    if (f.exists == 0) return out;
    auto last = fetch_by_sequence(x, std::to_string(f.exists), false, nullptr);
    if (!last) return std::unexpected(last.error());
    if (auto it = last->find(f.exists); it != last->end()) top = it->second.uid;
  }
  if (top <= after_uid) return out;
  const std::string uid_range = seq_range(after_uid + 1, top);
  auto uids = search(x, "UID SEARCH UID " + uid_range, after_uid, top);
  if (!uids) return std::unexpected(uids.error());
  // Every UID of the range listed (and no more than there are messages):
  // nothing above after_uid can be missing, so the check's round trip is
  // saved. The usual case: new mail, nothing expunged above the cursor.
  const bool every_uid = uids->size() == static_cast<std::size_t>(top - after_uid) &&
                         uids->size() <= f.at_select;
  auto agree = every_uid ? Result<bool>(true) : agrees_with_exists(x, f, *uids, after_uid);
  if (!agree) return std::unexpected(agree.error());

  std::map<std::uint32_t, std::optional<std::int64_t>> days;  // fallback: UID -> day
  if (!*agree) {
    std::optional<Error> refused;
    std::string set = f.exists > 0 ? seq_range(1, f.exists) : "";
    std::map<std::uint32_t, SeqInfo> by_seq;
    if (!set.empty()) {
      auto got = fetch_by_sequence(x, set, since.has_value(), &refused);
      if (!got) return std::unexpected(got.error());
      if (refused) return std::unexpected(*refused);
      by_seq = std::move(*got);
    }
    std::size_t searched = uids->size();
    uids->clear();
    for (const auto& [seq, info] : by_seq)
      if (info.uid > after_uid && info.uid <= top) {
        uids->push_back(info.uid);
        days[info.uid] = info.day;
      }
    std::sort(uids->begin(), uids->end());
    uids->erase(std::unique(uids->begin(), uids->end()), uids->end());
    out.warnings.push_back("the server's UID SEARCH UID " + uid_range + " listed " +
                           std::to_string(searched) + " UIDs, which its EXISTS " +
                           std::to_string(f.at_select) +
                           " contradicts; the UIDs were read by sequence number instead (FETCH " +
                           (set.empty() ? std::string("skipped: folder empty") : set + " (UID)") +
                           "): " + std::to_string(uids->size()) + " to read");
  }

  std::set<std::uint32_t> recent;  // with `since`: the UIDs on or after it
  if (since && !uids->empty()) {
    if (!*agree) {
      for (auto u : *uids)
        if (!days[u] || *days[u] >= day_of(*since)) recent.insert(u);  // undated: read it
    } else {
      auto found = search(x, "UID SEARCH UID " + uid_range + " SINCE " + imap_search_date(*since),
                          after_uid, top);
      if (!found) return std::unexpected(found.error());
      recent.insert(found->begin(), found->end());
    }
  }
  for (auto u : *uids)
    (since && !recent.contains(u) ? out.skipped_by_date : out.ids).push_back(std::to_string(u));
  return out;
}

}  // namespace crmr
