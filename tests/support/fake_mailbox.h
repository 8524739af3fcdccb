// FakeMailbox: an in-memory IMAP/POP3 server behind MailboxSession, with
// fault injection (break the connection after N fetched messages, fail the
// next dispose). For the mailbox-run tests that must be exact about order.
#pragma once

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "core/mailbox_session.h"

namespace crmr::test {

struct FakeMessage {
  std::string bytes;
  std::int64_t internal_date = 0;
  bool seen = false;
};

// The server's state; sessions borrow it, so it outlives them and a test can
// look at it between runs.
struct FakeServer {
  bool pop3 = false;
  std::uint32_t uidvalidity = 7;
  std::uint32_t next_uid = 1;
  std::map<std::string, std::map<std::uint32_t, FakeMessage>> folders{{"INBOX", {}}};
  int break_after_fetched = -1;  // >= 0: the connection breaks after this many messages
  bool fail_next_dispose = false;
  std::set<std::uint32_t> unlisted;  // UIDs list_ids leaves out (a server that misses some)
  std::vector<std::string> log;  // "fetch 1", "seen 1,2", "move 3 Processed", "delete 1", "quit"
  // Called with the ids of each disposition before it is carried out.
  std::function<void(const std::vector<std::string>&)> before_dispose;

  std::uint32_t deliver(const std::string& bytes, std::int64_t date,
                        const std::string& folder = "INBOX") {
    folders[folder][next_uid] = FakeMessage{bytes, date, false};
    return next_uid++;
  }
  // POP3 UIDL of a UID.
  static std::string uidl(std::uint32_t uid) { return "U" + std::to_string(uid); }
};

class FakeSession final : public MailboxSession {
 public:
  explicit FakeSession(FakeServer& s) : s_(s) {}

  std::string capabilities() const override { return s_.pop3 ? "UIDL TOP" : "IMAP4rev1 MOVE"; }
  // As the real sessions: POP3 can only remove; IMAP can do everything.
  MailboxCapabilities caps() const override {
    if (s_.pop3) return MailboxCapabilities{.remove = true};
    return MailboxCapabilities{
        .folders = true, .persistent_uids = true, .flags = true, .move = true, .remove = true};
  }

  Result<FolderState> select(const std::string& folder) override {
    if (broken_) return lost();
    auto it = s_.folders.find(folder);
    if (it == s_.folders.end())
      return fail(Code::MailboxFolder, "no folder " + folder);
    folder_ = folder;
    FolderState st;
    st.uidvalidity = s_.pop3 ? 0 : s_.uidvalidity;
    st.uidnext = s_.pop3 ? 0 : s_.next_uid;
    st.exists = static_cast<std::uint32_t>(it->second.size());
    return st;
  }

  Result<IdListing> list_ids(std::uint32_t after_uid,
                             std::optional<std::int64_t> since) override {
    if (broken_) return lost();
    IdListing listing;
    std::vector<std::string>& ids = listing.ids;
    for (const auto& [uid, m] : box()) {
      if (s_.pop3) {
        ids.push_back(FakeServer::uidl(uid));
        continue;
      }
      // SEARCH SINCE compares whole days.
      if (uid <= after_uid || s_.unlisted.contains(uid)) continue;
      if (!since || m.internal_date / 86400 >= *since / 86400) ids.push_back(std::to_string(uid));
      else listing.skipped_by_date.push_back(std::to_string(uid));
    }
    return listing;
  }

  // The header: the bytes up to the first empty line (POP3 TOP n 0).
  Status fetch_headers(const std::vector<std::string>& ids,
                       const std::function<Status(RemoteMessage&&)>& each) override {
    for (const auto& id : ids) {
      if (broken_) return lost();
      auto it = box().find(uid_of(id));
      if (it == box().end()) continue;
      s_.log.push_back("top " + id);
      const std::string& b = it->second.bytes;
      std::size_t end = b.find("\r\n\r\n");
      RemoteMessage rm{id, b.substr(0, end == std::string::npos ? b.size() : end + 4),
                       std::nullopt};
      if (auto st = each(std::move(rm)); !st) return st;
    }
    return {};
  }

  Status fetch(const std::vector<std::string>& ids,
               const std::function<Status(RemoteMessage&&)>& each) override {
    for (const auto& id : ids) {
      if (broken_) return lost();
      if (s_.break_after_fetched == 0) {
        broken_ = true;
        s_.break_after_fetched = -1;
        return lost();
      }
      if (s_.break_after_fetched > 0) --s_.break_after_fetched;
      auto it = box().find(uid_of(id));
      if (it == box().end()) continue;  // expunged meanwhile
      s_.log.push_back("fetch " + id);
      RemoteMessage rm{id, it->second.bytes, it->second.internal_date};
      if (auto st = each(std::move(rm)); !st) return st;
    }
    return {};
  }

  Status mark_seen(const std::vector<std::string>& ids) override {
    if (auto st = dispose_allowed(ids); !st) return st;
    for (const auto& id : ids) box()[uid_of(id)].seen = true;
    s_.log.push_back("seen " + join(ids));
    return {};
  }
  Status move_to(const std::vector<std::string>& ids, const std::string& folder) override {
    if (auto st = dispose_allowed(ids); !st) return st;
    for (const auto& id : ids) {
      auto node = box().extract(uid_of(id));
      if (!node.empty()) s_.folders[folder][s_.next_uid++] = node.mapped();
    }
    s_.log.push_back("move " + join(ids) + " " + folder);
    return {};
  }
  Status remove(const std::vector<std::string>& ids) override {
    if (auto st = dispose_allowed(ids); !st) return st;
    for (const auto& id : ids) {
      if (s_.pop3) pending_dele_.push_back(uid_of(id));
      else box().erase(uid_of(id));
    }
    s_.log.push_back("delete " + join(ids));
    return {};
  }
  Status close() override {
    if (broken_) return lost();
    for (auto uid : pending_dele_) box().erase(uid);  // POP3: DELE takes effect at QUIT
    pending_dele_.clear();
    s_.log.push_back("quit");
    return {};
  }

 private:
  std::map<std::uint32_t, FakeMessage>& box() { return s_.folders[folder_]; }
  std::uint32_t uid_of(const std::string& id) const {
    return static_cast<std::uint32_t>(std::stoul(s_.pop3 ? id.substr(1) : id));
  }
  static std::string join(const std::vector<std::string>& ids) {
    std::string out;
    for (const auto& id : ids) out += (out.empty() ? "" : ",") + id;
    return out;
  }
  static std::unexpected<Error> lost() {
    return fail(Code::MailboxNetwork, "connection lost");
  }
  Status dispose_allowed(const std::vector<std::string>& ids) {
    if (s_.before_dispose) s_.before_dispose(ids);
    if (broken_) return lost();
    if (s_.fail_next_dispose) {
      s_.fail_next_dispose = false;
      broken_ = true;
      return lost();
    }
    return {};
  }

  FakeServer& s_;
  std::string folder_ = "INBOX";
  bool broken_ = false;
  std::vector<std::uint32_t> pending_dele_;
};

}  // namespace crmr::test
