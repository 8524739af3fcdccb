// ImapSession: MailboxSession over raw IMAP; see imap_session.h.
//
// After login it takes the capabilities from the login's answer when the
// server sent them there (else asks CAPABILITY, with NAMESPACE in the same
// round trip), and sends NAMESPACE, and SELECT "INBOX" when that is the
// first folder, in one round trip. When the server offers UTF8=ACCEPT it
// sends ENABLE UTF8=ACCEPT (RFC 6855) before SELECT: the
// server then sends messages with raw UTF-8 headers as they are instead of a
// downgraded stand-in, and folder names are sent in UTF-8 (not modified
// UTF-7).
//
// One command at a time otherwise, except UID FETCH: the ids are fetched in batches of
// kFetchBatch UIDs with up to kFetchWindow commands in flight, and messages
// are handed to the caller in the order of the ids asked for. After an I/O or
// protocol error the session is unusable (every call fails); a NO/BAD to one
// command leaves it usable.
#include "core/mailbox/imap_session.h"

#include <algorithm>
#include <cctype>
#include <deque>
#include <map>
#include <optional>
#include <unordered_map>
#include <utility>

#include "core/mailbox/imap_namespace.h"
#include "core/mailbox/imap_parser.h"
#include "core/mailbox/imap_uid_listing.h"
#include "core/base/ascii.h"

namespace crmr {
namespace {

constexpr std::size_t kFetchBatch = 200;   // UIDs per UID FETCH command
constexpr std::size_t kFetchWindow = 4;    // UID FETCH commands in flight
constexpr std::size_t kStoreBatch = 1000;  // UIDs per STORE/MOVE/COPY/EXPUNGE command

using Untagged = std::function<void(ImapResponse&)>;

Result<std::vector<std::uint32_t>> parse_uids(const std::vector<std::string>& ids) {
  std::vector<std::uint32_t> out;
  out.reserve(ids.size());
  for (const auto& id : ids) {
    std::uint32_t v = 0;
    bool ok = !id.empty() && id.size() <= 10;
    for (char c : id) ok = ok && c >= '0' && c <= '9';
    if (ok) {
      std::uint64_t wide = std::stoull(id);
      ok = wide > 0 && wide <= 0xffffffffu;
      v = static_cast<std::uint32_t>(wide);
    }
    if (!ok) return fail(Code::MailboxBadId, "not an IMAP UID: \"" + id + "\"");
    out.push_back(v);
  }
  return out;
}

// Chunks of at most kStoreBatch UIDs as sequence sets.
std::vector<std::string> uid_sets(const std::vector<std::uint32_t>& uids) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < uids.size(); i += kStoreBatch) {
    std::size_t end = std::min(uids.size(), i + kStoreBatch);
    out.push_back(uid_set({uids.begin() + i, uids.begin() + end}));
  }
  return out;
}

ImapValue* fetch_item_mut(ImapResponse& r, std::string_view name) {
  return const_cast<ImapValue*>(fetch_item(r, name));
}

class ImapSession final : public MailboxSession, private ImapExchange {
 public:
  explicit ImapSession(Connection c) : conn_(std::move(c)) {}

  // After login. With the capabilities the login answer carried: ENABLE
  // (when offered), NAMESPACE (or LIST "" "") and, when `first_folder` is
  // INBOX, SELECT "INBOX", in one round trip (ENABLE must precede SELECT,
  // RFC 5161; all are sent in that order). Otherwise as start_asking().
  Status start(const std::string& first_folder) {
    if (conn_.login_capabilities().empty()) return start_asking();
    caps_ = conn_.login_capabilities();
    const bool announced = has_capability("NAMESPACE");
    const bool inbox = first_folder.size() == 5 && ascii_lower(first_folder) == "inbox";
    std::vector<std::string> cmds;
    if (has_capability("UTF8=ACCEPT")) cmds.push_back("ENABLE UTF8=ACCEPT");
    cmds.push_back(announced ? "NAMESPACE" : "LIST \"\" \"\"");
    if (inbox) cmds.push_back("SELECT \"INBOX\"");
    FolderState st;
    auto r = exchange_pipelined(cmds, [&](ImapResponse& u) {
      if (u.keyword == "ENABLED")
        for (const auto& v : u.values) utf8_ = utf8_ || v.is_atom("UTF8=ACCEPT");
      if (announced) ns_.read_namespace(u);
      else ns_.read_list(u);
      if (u.keyword == "EXISTS" && u.number) st.exists = *u.number;
      if (u.status == "OK" && u.code_name() == "UIDVALIDITY") st.uidvalidity = u.code_number().value_or(0);
      if (u.status == "OK" && u.code_name() == "UIDNEXT") st.uidnext = u.code_number().value_or(0);
    });
    if (!r) return std::unexpected(r.error());
    // A refused or incomplete SELECT is sent again by select(), which
    // explains a refusal and asks STATUS for a missing UIDNEXT.
    if (inbox && r->back().status == "OK" && st.uidnext > 0) {
      folder_ = SelectedFolder{st.uidnext, st.exists, st.exists};
      inbox_selected_ = st;
    }
    return {};
  }

  // CAPABILITY and NAMESPACE asked, then ENABLE when offered.
  Status start_asking() {
    // CAPABILITY and NAMESPACE in one round trip (RFC 3501 5.5: neither
    // depends on the other's answer). A server without NAMESPACE answers it
    // NO or BAD, and the separator is read with LIST "" "" then.
    std::string caps;
    bool has_namespace = false;
    auto r = exchange_pipelined({"CAPABILITY", "NAMESPACE"}, [&](ImapResponse& u) {
      if (u.keyword == "NAMESPACE") {
        ns_.read_namespace(u);
        has_namespace = true;
      }
      if (u.keyword != "CAPABILITY") return;
      for (const auto& v : u.values) caps += (caps.empty() ? "" : " ") + v.text;
    });
    if (!r) return std::unexpected(r.error());
    if (auto s = check("CAPABILITY", r->front()); !s) return s;
    caps_ = std::move(caps);
    if (r->back().status != "OK" || !has_namespace) {
      if (auto s = read_separator(); !s) return s;
    }
    if (has_capability("UTF8=ACCEPT")) {
      auto e = exchange("ENABLE UTF8=ACCEPT", [&](ImapResponse& u) {
        if (u.keyword != "ENABLED") return;
        for (const auto& v : u.values) utf8_ = utf8_ || v.is_atom("UTF8=ACCEPT");
      });
      if (!e) return std::unexpected(e.error());  // a NO leaves the session as it was
    }
    return {};
  }

  std::string capabilities() const override { return caps_; }
  MailboxCapabilities caps() const override { return imap_capabilities(); }
  std::string logged_in_with() const override { return conn_.mechanism(); }
  std::uint64_t round_trips() const override { return conn_.round_trips(); }
  std::string namespace_text() const override { return ns_.describe(); }
  std::string resolve_folder(const std::string& folder) const override { return ns_.resolve(folder); }

  Result<FolderState> select(const std::string& configured) override {
    const std::string folder = ns_.resolve(configured);
    if (auto pre = std::exchange(inbox_selected_, std::nullopt); pre && folder == "INBOX") return *pre;
    auto arg = imap_mailbox_arg(folder, utf8_);
    if (!arg) return std::unexpected(arg.error());
    FolderState st;
    auto r = exchange("SELECT " + *arg, [&](ImapResponse& u) {
      if (u.keyword == "EXISTS" && u.number) st.exists = *u.number;
      if (u.status == "OK" && u.code_name() == "UIDVALIDITY") st.uidvalidity = u.code_number().value_or(0);
      if (u.status == "OK" && u.code_name() == "UIDNEXT") st.uidnext = u.code_number().value_or(0);
    });
    if (!r) return std::unexpected(r.error());
    if (r->status != "OK") {
      Error e = refused("SELECT " + folder, *r);
      e.code = Code::MailboxFolder;
      e.retry = Retry::Never;
      e.hint = folder_hint(folder);
      if (folder != configured) e.message += " (\"" + configured + "\" on this server is \"" + folder + "\")";
      return std::unexpected(e);
    }
    if (st.uidnext == 0) {  // SELECT without UIDNEXT: ask STATUS (a NO leaves it unknown)
      auto s = exchange("STATUS " + *arg + " (UIDNEXT)", [&](ImapResponse& u) {
        if (u.keyword != "STATUS" || u.values.size() < 2) return;
        const auto& items = u.values[1].items;
        for (std::size_t i = 0; i + 1 < items.size(); i += 2)
          if (items[i].is_atom("UIDNEXT")) st.uidnext = items[i + 1].number().value_or(0);
      });
      if (!s) return std::unexpected(s.error());
    }
    folder_ = SelectedFolder{st.uidnext, st.exists, st.exists};
    return st;
  }

  Result<IdListing> list_ids(std::uint32_t after_uid,
                             std::optional<std::int64_t> since) override {
    return list_uids(*this, folder_, after_uid, since);
  }

  Status fetch(const std::vector<std::string>& ids,
               const std::function<Status(RemoteMessage&&)>& each) override {
    return fetch_items(ids, "(UID INTERNALDATE BODY.PEEK[])", "BODY[]", each);
  }
  Status fetch_headers(const std::vector<std::string>& ids,
                       const std::function<Status(RemoteMessage&&)>& each) override {
    return fetch_items(ids, "(UID BODY.PEEK[HEADER])", "BODY[HEADER]", each);
  }

  Status mark_seen(const std::vector<std::string>& ids) override {
    auto uids = parse_uids(ids);
    if (!uids) return std::unexpected(uids.error());
    return store(*uids, "\\Seen");
  }

  Status move_to(const std::vector<std::string>& ids, const std::string& configured) override {
    const std::string folder = ns_.resolve(configured);
    auto uids = parse_uids(ids);
    if (!uids) return std::unexpected(uids.error());
    auto arg = imap_mailbox_arg(folder, utf8_);
    if (!arg) return std::unexpected(arg.error());
    bool move = has_capability("MOVE");
    for (const auto& set : uid_sets(*uids)) {
      std::string verb = move ? "UID MOVE" : "UID COPY";
      if (auto s = copy_creating(verb, set, *arg, folder); !s) return s;
    }
    if (move) return {};
    if (auto s = store(*uids, "\\Deleted"); !s) return s;
    return expunge(*uids);
  }

  Status remove(const std::vector<std::string>& ids) override {
    auto uids = parse_uids(ids);
    if (!uids) return std::unexpected(uids.error());
    if (auto s = store(*uids, "\\Deleted"); !s) return s;
    return expunge(*uids);
  }

  Status close() override {
    if (closed_) return {};
    closed_ = true;
    // Waited for: a server may write flag changes to its store only when
    // the session ends (GNU Mailutils' Maildir), so cutting the connection
    // after sending LOGOUT could lose the \Seen of the disposition.
    auto r = exchange("LOGOUT", {});
    if (!r) return std::unexpected(r.error());
    return check("LOGOUT", *r);
  }

 private:
  // Without NAMESPACE (RFC 2342): the separator from LIST "" "". A server
  // refusing it keeps names as written.
  Status read_separator() {
    auto r = exchange("LIST \"\" \"\"", [&](ImapResponse& u) { ns_.read_list(u); });
    if (!r) return std::unexpected(r.error());
    return {};
  }

  // UID FETCH of `items` ("(UID ... BODY.PEEK[...])"), the message bytes
  // taken from the response item `body` ("BODY[]").
  Status fetch_items(const std::vector<std::string>& ids, std::string_view items,
                     std::string_view body,
                     const std::function<Status(RemoteMessage&&)>& each);

  bool has_capability(std::string_view name) const {
    std::string padded = " " + caps_ + " ";
    std::string want = " " + std::string(name) + " ";
    auto it = std::search(padded.begin(), padded.end(), want.begin(), want.end(),
                          [](char a, char b) { return std::toupper(a) == std::toupper(b); });
    return it != padded.end();
  }

  // What to tell a user whose folder could not be opened: the folders the
  // server has (LIST "" "*") and its hierarchy separator, and a folder that
  // differs only in case. When LIST fails, only the general advice.
  std::string folder_hint(const std::string& folder) {
    constexpr std::size_t kShown = 40;
    std::vector<std::string> names;
    std::string separator;
    auto r = exchange("LIST \"\" \"*\"", [&](ImapResponse& u) {
      if (u.keyword != "LIST" || u.values.size() < 3) return;
      const ImapValue& sep = u.values[1];
      if (separator.empty() && sep.type == ImapValue::Type::String) separator = sep.text;
      bool noselect = false;
      for (const auto& flag : u.values[0].items) noselect = noselect || flag.is_atom("\\Noselect");
      if (!noselect) names.push_back(imap_mailbox_name(u.values[2].text));
    });
    if (!r || r->status != "OK" || names.empty())
      return "check that the folder exists and the user may open it";
    if (separator.empty()) separator = ns_.separator;  // INBOX may have none (Mailutils)
    std::sort(names.begin(), names.end());
    std::string hint;
    for (const auto& n : names) {
      bool same = n.size() == folder.size() &&
                  std::equal(n.begin(), n.end(), folder.begin(), [](char a, char b) { return ascii_lower(a) == ascii_lower(b); });
      if (same && n != folder)
        hint = "did you mean \"" + n + "\"? Folder names other than INBOX are case-sensitive; ";
    }
    hint += "the server has " + std::to_string(names.size()) +
            (names.size() == 1 ? " folder: " : " folders: ");
    for (std::size_t i = 0; i < names.size() && i < kShown; ++i)
      hint += (i ? ", " : "") + names[i];
    if (names.size() > kShown) hint += ", ... (" + std::to_string(names.size() - kShown) + " more)";
    hint += separator.empty() ? "; it has no folder hierarchy"
                              : "; hierarchy separator \"" + separator + "\"";
    return hint;
  }

  Error broken(Error e) {
    broken_ = e;
    if (!bye_.empty() && e.code == Code::MailboxClosed)
      broken_->message += " (it said: " + bye_ + ")";
    return *broken_;
  }

  Result<std::string> send_command(std::string_view cmd) {
    if (broken_) {
      Error e = *broken_;
      e.message = "connection unusable after an earlier error: " + e.message;
      return std::unexpected(e);
    }
    std::string tag = "R" + std::to_string(++tag_counter_);
    std::string line = tag + " ";
    line += cmd;
    line += "\r\n";
    if (auto s = conn_.send(line); !s) return std::unexpected(broken(s.error()));
    return tag;
  }

  Result<ImapResponse> read_response() {
    for (;;) {
      auto frame = framer_.next();
      if (!frame) {
        Error e = frame.error();
        e.message += " (from " + conn_.label() + ")";
        return std::unexpected(broken(e));
      }
      if (*frame) {
        auto r = parse_imap_response(**frame);
        if (!r) {
          Error e = r.error();
          e.message += " (from " + conn_.label() + ")";
          return std::unexpected(broken(e));
        }
        if (r->kind == ImapResponse::Kind::Untagged && r->status == "BYE") bye_ = r->text;
        if (r->kind == ImapResponse::Kind::Untagged && r->number) track(*r);
        return r;
      }
      auto bytes = conn_.receive();
      if (!bytes) return std::unexpected(broken(bytes.error()));
      framer_.append(*bytes);
    }
  }

  // Keep the selected folder's counts current (see SelectedFolder).
  void track(const ImapResponse& r) {
    if (r.keyword == "EXISTS") folder_.exists = *r.number;
    if (r.keyword == "EXPUNGE") {
      if (*r.number <= folder_.at_select && folder_.at_select > 0) --folder_.at_select;
      if (folder_.exists > 0) --folder_.exists;
    }
  }

  // Send `cmds` at once and read up to the last one's tagged response,
  // passing untagged ones to `on`: one round trip. The tagged responses, in
  // the order of `cmds`.
  Result<std::vector<ImapResponse>> exchange_pipelined(const std::vector<std::string>& cmds,
                                                       const Untagged& on) {
    std::vector<std::string> tags;
    std::string lines;
    for (const auto& cmd : cmds) {
      if (broken_) break;
      std::string tag = "R" + std::to_string(++tag_counter_);
      lines += tag + " " + cmd + "\r\n";
      tags.push_back(std::move(tag));
    }
    auto sent = send_command_lines(lines);
    if (!sent) return std::unexpected(sent.error());
    std::vector<ImapResponse> out;
    while (out.size() < tags.size()) {
      auto r = read_response();
      if (!r) return std::unexpected(r.error());
      if (r->kind == ImapResponse::Kind::Tagged) {
        if (r->tag != tags[out.size()])
          return std::unexpected(broken(Error{Code::MailboxProtocol,
                                              "unexpected IMAP tag \"" + r->tag + "\" from " + conn_.label(),
                                              "", Scope::Mailbox, Retry::Later}));
        out.push_back(std::move(*r));
        continue;
      }
      if (r->kind == ImapResponse::Kind::Continuation)
        return std::unexpected(broken(Error{Code::MailboxProtocol,
                                            "unexpected IMAP continuation from " + conn_.label(), "",
                                            Scope::Mailbox, Retry::Later}));
      if (on) on(*r);
    }
    return out;
  }

  // Send whole command lines (tags included) as one write.
  Status send_command_lines(const std::string& lines) {
    if (broken_) {
      Error e = *broken_;
      e.message = "connection unusable after an earlier error: " + e.message;
      return std::unexpected(e);
    }
    if (auto s = conn_.send(lines); !s) return std::unexpected(broken(s.error()));
    return {};
  }

  // Send `cmd` and read up to its tagged response, passing untagged ones to `on`.
  Result<ImapResponse> exchange(std::string_view cmd, const Untagged& on) override {
    auto tag = send_command(cmd);
    if (!tag) return std::unexpected(tag.error());
    for (;;) {
      auto r = read_response();
      if (!r) return r;
      if (r->kind == ImapResponse::Kind::Tagged) {
        if (r->tag == *tag) return r;
        return std::unexpected(broken(Error{Code::MailboxProtocol,
                                            "unexpected IMAP tag \"" + r->tag + "\" from " + conn_.label(),
                                            "", Scope::Mailbox, Retry::Later}));
      }
      if (r->kind == ImapResponse::Kind::Continuation)
        return std::unexpected(broken(Error{Code::MailboxProtocol,
                                            "unexpected IMAP continuation from " + conn_.label(), "",
                                            Scope::Mailbox, Retry::Later}));
      if (on) on(*r);
    }
  }

  Error refused(const std::string& what, const ImapResponse& r) const override {
    std::string text = r.status;
    if (!r.code.empty()) text += " [" + r.code + "]";
    text += " " + r.text;
    return Error{Code::MailboxCommand, "IMAP server " + conn_.label() + " refused " + what + ": " + text,
                 "", Scope::Mailbox, Retry::Later};
  }

  Status check(const std::string& what, const ImapResponse& r) const {
    if (r.status == "OK") return {};
    return std::unexpected(refused(what, r));
  }

  Status store(const std::vector<std::uint32_t>& uids, std::string_view flag) {
    for (const auto& set : uid_sets(uids)) {
      auto r = exchange("UID STORE " + set + " +FLAGS.SILENT (" + std::string(flag) + ")", {});
      if (!r) return std::unexpected(r.error());
      if (auto s = check("UID STORE", *r); !s) return s;
    }
    return {};
  }

  Status expunge(const std::vector<std::uint32_t>& uids) {
    if (!has_capability("UIDPLUS")) {  // without UIDPLUS: every \Deleted message goes
      auto r = exchange("EXPUNGE", {});
      if (!r) return std::unexpected(r.error());
      return check("EXPUNGE", *r);
    }
    for (const auto& set : uid_sets(uids)) {
      auto r = exchange("UID EXPUNGE " + set, {});
      if (!r) return std::unexpected(r.error());
      if (auto s = check("UID EXPUNGE", *r); !s) return s;
    }
    return {};
  }

  // UID MOVE/COPY `set` to the folder `arg`; on NO [TRYCREATE] create it and retry once.
  Status copy_creating(const std::string& verb, const std::string& set, const std::string& arg,
                       const std::string& folder) {
    auto r = exchange(verb + " " + set + " " + arg, {});
    if (!r) return std::unexpected(r.error());
    // GNU Mailutils puts the code after the command's name ("NO UID COPY
    // [TRYCREATE] failed"), not first as RFC 3501 has it: take it there too.
    if (r->status == "NO" &&
        (r->code_name() == "TRYCREATE" || r->text.find("[TRYCREATE]") != std::string::npos)) {
      auto c = exchange("CREATE " + arg, {});
      if (!c) return std::unexpected(c.error());
      if (c->status != "OK" && c->code_name() != "ALREADYEXISTS") {
        Error e = refused("CREATE " + folder, *c);
        e.retry = Retry::Never;
        e.hint = "create the folder on the server, or name one that exists; this server keeps "
                 "personal folders under " + ns_.describe();
        return std::unexpected(e);
      }
      r = exchange(verb + " " + set + " " + arg, {});
      if (!r) return std::unexpected(r.error());
    }
    return check(verb + " to " + folder, *r);
  }

  Connection conn_;
  ImapFramer framer_;
  std::uint32_t tag_counter_ = 0;
  std::string caps_;
  ImapNamespace ns_;
  std::string bye_;                // text of the server's BYE, if it sent one
  std::optional<Error> broken_;    // set after an I/O or protocol error
  bool closed_ = false;
  bool utf8_ = false;              // ENABLE UTF8=ACCEPT took effect
  std::optional<FolderState> inbox_selected_;  // selected by start(), not yet asked for
  SelectedFolder folder_;
};

Status ImapSession::fetch_items(const std::vector<std::string>& ids, std::string_view items,
                                std::string_view body_item,
                                const std::function<Status(RemoteMessage&&)>& each) {
  auto parsed = parse_uids(ids);
  if (!parsed) return std::unexpected(parsed.error());
  const std::vector<std::uint32_t>& uids = *parsed;
  std::unordered_map<std::uint32_t, std::size_t> index;
  index.reserve(uids.size());
  for (std::size_t i = 0; i < uids.size(); ++i) index.emplace(uids[i], i);

  struct Batch {
    std::string tag;
    std::size_t hi;  // one past its last index into `uids`
    bool done = false;
  };
  std::deque<Batch> inflight;
  std::size_t next_lo = 0;    // first index not yet asked for
  std::size_t next_emit = 0;  // index of the next message owed to `each`
  std::map<std::size_t, RemoteMessage> parked;  // arrived ahead of their turn
  std::optional<Error> stop;  // first error from `each` or a NO/BAD: stop asking, drain

  auto deliver = [&](RemoteMessage&& m) {
    if (stop) return;
    if (auto s = each(std::move(m)); !s) stop = s.error();
  };
  auto deliver_parked = [&] {
    while (!parked.empty() && parked.begin()->first == next_emit) {
      deliver(std::move(parked.begin()->second));
      parked.erase(parked.begin());
      ++next_emit;
    }
  };

  while (true) {
    while (!stop && inflight.size() < kFetchWindow && next_lo < uids.size()) {
      std::size_t hi = std::min(uids.size(), next_lo + kFetchBatch);
      std::vector<std::uint32_t> chunk(uids.begin() + next_lo, uids.begin() + hi);
      auto tag = send_command("UID FETCH " + uid_set(std::move(chunk)) + " " + std::string(items));
      if (!tag) return std::unexpected(tag.error());
      inflight.push_back(Batch{*tag, hi});
      next_lo = hi;
    }
    if (inflight.empty()) break;
    auto r = read_response();
    if (!r) return std::unexpected(r.error());
    if (r->kind == ImapResponse::Kind::Tagged) {
      auto b = std::find_if(inflight.begin(), inflight.end(),
                            [&](const Batch& x) { return x.tag == r->tag; });
      if (b == inflight.end())
        return std::unexpected(broken(Error{Code::MailboxProtocol,
                                            "unexpected IMAP tag \"" + r->tag + "\" from " + conn_.label(),
                                            "", Scope::Mailbox, Retry::Later}));
      if (r->status != "OK" && !stop) stop = refused("UID FETCH", *r);
      b->done = true;
      while (!inflight.empty() && inflight.front().done) {
        // Everything of this batch has arrived; ids the server did not return
        // (expunged meanwhile) are skipped.
        while (next_emit < inflight.front().hi) {
          auto p = parked.find(next_emit);
          if (p != parked.end()) {
            deliver(std::move(p->second));
            parked.erase(p);
          }
          ++next_emit;
        }
        inflight.pop_front();
      }
      continue;
    }
    if (r->kind != ImapResponse::Kind::Untagged || r->keyword != "FETCH") continue;
    ImapValue* body = fetch_item_mut(*r, body_item);
    const ImapValue* uid = fetch_item(*r, "UID");
    if (!body || !uid || body->type != ImapValue::Type::String || !uid->number()) continue;
    auto at = index.find(*uid->number());
    if (at == index.end() || at->second < next_emit) continue;
    RemoteMessage m;
    m.id = uid->text;
    m.bytes = std::move(body->text);
    if (const ImapValue* d = fetch_item(*r, "INTERNALDATE"); d && d->type == ImapValue::Type::String)
      m.internal_date = parse_internal_date(d->text);
    if (at->second == next_emit) {
      deliver(std::move(m));
      ++next_emit;
      deliver_parked();
    } else {
      parked.emplace(at->second, std::move(m));
    }
  }
  if (stop) return std::unexpected(*stop);
  return {};
}

}  // namespace

Result<std::unique_ptr<MailboxSession>> open_imap_session(Connection conn,
                                                          const std::string& first_folder) {
  auto s = std::make_unique<ImapSession>(std::move(conn));
  if (auto st = s->start(first_folder); !st) return std::unexpected(st.error());
  return std::unique_ptr<MailboxSession>(std::move(s));
}

}  // namespace crmr
