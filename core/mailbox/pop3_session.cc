// Pop3Session: MailboxSession over raw POP3; see pop3_session.h.
//
// RETR and DELE are pipelined (up to kWindow commands in flight) when the
// server announces PIPELINING (RFC 2449), else sent one at a time. After an
// I/O or protocol error the session is unusable; a -ERR to one command
// leaves it usable.
//
// After login it asks CAPA and, when the server lists UTF8 (RFC 6856), sends
// UTF8: a server such as Courier otherwise serves a message with raw UTF-8
// headers as a "Cannot display Unicode content" stand-in. libcurl does the
// login, so the command comes after it (Courier accepts it there; a server
// that answers -ERR is read as before).
#include "core/mailbox/pop3_session.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <deque>
#include <unordered_map>

#include "core/mailbox/pop3_reader.h"

namespace crmr {
namespace {

constexpr std::size_t kWindow = 64;

struct Reply {
  bool ok = false;
  std::string text;  // after "+OK " / "-ERR "
};

class Pop3Session final : public MailboxSession {
 public:
  explicit Pop3Session(Connection c) : conn_(std::move(c)) {}

  Status start() {
    auto r = command("CAPA");
    if (!r) return std::unexpected(r.error());
    if (!r->ok) return {};  // CAPA is optional (RFC 2449): no capabilities known
    auto body = read_body();
    if (!body) return std::unexpected(body.error());
    std::string_view rest = *body;
    while (!rest.empty()) {
      std::size_t nl = rest.find('\n');
      std::string_view line = rest.substr(0, nl);
      if (line.ends_with('\r')) line.remove_suffix(1);
      if (!line.empty()) caps_ += (caps_.empty() ? "" : " ") + std::string(line);
      rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
    }
    std::string upper = caps_;
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    auto offers = [&](const char* what) {
      return (" " + upper + " ").find(" " + std::string(what) + " ") != std::string::npos;
    };
    pipelining_ = offers("PIPELINING");
    top_ = offers("TOP");
    if (offers("UTF8")) {
      auto u = command("UTF8");
      if (!u) return std::unexpected(u.error());
    }
    return {};
  }

  std::string capabilities() const override { return caps_; }
  MailboxCapabilities caps() const override { return pop3_capabilities(); }
  std::string logged_in_with() const override { return conn_.mechanism(); }
  std::uint64_t round_trips() const override { return conn_.round_trips(); }

  Result<FolderState> select(const std::string& folder) override {
    std::string upper = folder;
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (upper != "INBOX")
      return fail(Code::MailboxFolder, "POP3 has only INBOX, not \"" + folder + "\" (" + conn_.label() + ")",
                  "use folders = [\"INBOX\"] for POP3 mailboxes");
    auto r = command("STAT");
    if (!r) return std::unexpected(r.error());
    if (!r->ok) return std::unexpected(refused("STAT", *r, Scope::Mailbox));
    FolderState st;
    std::string_view t = r->text;
    std::from_chars(t.data(), t.data() + t.size(), st.exists);
    return st;
  }

  Result<IdListing> list_ids(std::uint32_t, std::optional<std::int64_t>) override {
    auto r = command("UIDL");
    if (!r) return std::unexpected(r.error());
    if (!r->ok)
      return std::unexpected(Error{Code::MailboxUnsupported,
                                   "POP3 server " + conn_.label() + " refused UIDL: " + r->text,
                                   "crm-router needs a POP3 server with UIDL", Scope::Mailbox,
                                   Retry::Never});
    auto body = read_body();
    if (!body) return std::unexpected(body.error());
    std::vector<std::pair<std::uint32_t, std::string>> listed;
    std::string_view rest = *body;
    while (!rest.empty()) {
      std::size_t nl = rest.find('\n');
      std::string_view line = rest.substr(0, nl);
      rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
      if (line.ends_with('\r')) line.remove_suffix(1);
      std::uint32_t n = 0;
      auto [p, ec] = std::from_chars(line.data(), line.data() + line.size(), n);
      if (ec != std::errc() || p == line.data() + line.size() || *p != ' ' || n == 0)
        return std::unexpected(broken(Error{Code::MailboxProtocol,
                                            "malformed UIDL line from " + conn_.label(), "",
                                            Scope::Mailbox, Retry::Later}));
      listed.emplace_back(n, std::string(line.substr(p - line.data() + 1)));
    }
    std::sort(listed.begin(), listed.end());
    number_of_.clear();
    IdListing out;
    for (auto& [n, uid] : listed) {
      number_of_[uid] = n;
      out.ids.push_back(std::move(uid));
    }
    return out;
  }

  Status fetch(const std::vector<std::string>& ids,
               const std::function<Status(RemoteMessage&&)>& each) override {
    std::optional<Error> stop;
    auto on_reply = [&](const std::string& id, const Reply& r) -> Status {
      if (!r.ok) {
        if (!stop) stop = refused("RETR of " + id, r, Scope::Message);
        return {};
      }
      auto body = read_body();
      if (!body) return std::unexpected(body.error());
      if (!stop) {
        if (auto s = each(RemoteMessage{id, std::move(*body), std::nullopt}); !s) stop = s.error();
      }
      return {};
    };
    if (auto s = pipelined("RETR", ids, on_reply, stop); !s) return s;
    if (stop) return std::unexpected(*stop);
    return {};
  }

  // TOP n 0; a server without TOP (CAPA lists others but not it) sends the
  // whole message (RETR), cut here at the end of its header.
  Status fetch_headers(const std::vector<std::string>& ids,
                       const std::function<Status(RemoteMessage&&)>& each) override {
    const bool top = top_ || caps_.empty();
    std::optional<Error> stop;
    auto on_reply = [&](const std::string& id, const Reply& r) -> Status {
      if (!r.ok) {
        if (!stop) stop = refused((top ? "TOP of " : "RETR of ") + id, r, Scope::Message);
        return {};
      }
      auto body = read_body();
      if (!body) return std::unexpected(body.error());
      if (!top) {
        std::size_t end = body->find("\r\n\r\n");
        std::size_t lf = body->find("\n\n");
        end = end != std::string::npos ? end + 2 : lf != std::string::npos ? lf + 1 : body->size();
        body->resize(std::min(end, body->size()));
      }
      if (!stop) {
        if (auto s = each(RemoteMessage{id, std::move(*body), std::nullopt}); !s) stop = s.error();
      }
      return {};
    };
    if (auto s = pipelined(top ? "TOP" : "RETR", ids, on_reply, stop, top ? " 0" : ""); !s) return s;
    if (stop) return std::unexpected(*stop);
    return {};
  }

  Status mark_seen(const std::vector<std::string>&) override { return {}; }  // POP3 has no flags

  Status move_to(const std::vector<std::string>&, const std::string& folder) override {
    return fail(Code::MailboxUnsupported,
                "POP3 cannot move messages (to \"" + folder + "\") on " + conn_.label(),
                "use after = \"delete\" or \"leave\" for POP3");
  }

  Status remove(const std::vector<std::string>& ids) override {
    std::optional<Error> stop;
    auto on_reply = [&](const std::string& id, const Reply& r) -> Status {
      if (!r.ok && !stop) stop = refused("DELE of " + id, r, Scope::Message);
      return {};
    };
    if (auto s = pipelined("DELE", ids, on_reply, stop); !s) return s;
    if (stop) return std::unexpected(*stop);
    return {};
  }

  Status close() override {
    if (closed_) return {};
    closed_ = true;
    auto r = command("QUIT");
    if (!r) return std::unexpected(r.error());
    if (!r->ok) return std::unexpected(refused("QUIT", *r, Scope::Mailbox));
    return {};
  }

 private:
  Error broken(Error e) {
    broken_ = e;
    return e;
  }

  Status send(const std::string& line) {
    if (broken_) {
      Error e = *broken_;
      e.message = "connection unusable after an earlier error: " + e.message;
      return std::unexpected(e);
    }
    if (auto s = conn_.send(line + "\r\n"); !s) return std::unexpected(broken(s.error()));
    return {};
  }

  Status fill() {
    auto bytes = conn_.receive();
    if (!bytes) return std::unexpected(broken(bytes.error()));
    reader_.append(*bytes);
    return {};
  }

  Result<Reply> read_reply() {
    for (;;) {
      auto line = reader_.next_line();
      if (!line) return std::unexpected(broken(line.error()));
      if (*line) {
        std::string_view l = **line;
        if (l.starts_with("+OK")) return Reply{true, std::string(l.substr(l.size() > 3 ? 4 : 3))};
        if (l.starts_with("-ERR")) return Reply{false, std::string(l.substr(l.size() > 4 ? 5 : 4))};
        std::string shown(l.substr(0, 60));
        for (char& c : shown)
          if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) c = '?';
        return std::unexpected(broken(Error{Code::MailboxProtocol,
                                            "malformed POP3 reply from " + conn_.label() + ": \"" + shown + "\"",
                                            "", Scope::Mailbox, Retry::Later}));
      }
      if (auto s = fill(); !s) return std::unexpected(s.error());
    }
  }

  Result<std::string> read_body() {
    for (;;) {
      if (auto body = reader_.next_body()) return std::move(*body);
      if (auto s = fill(); !s) return std::unexpected(s.error());
    }
  }

  Result<Reply> command(const std::string& line) {
    if (auto s = send(line); !s) return std::unexpected(s.error());
    return read_reply();
  }

  Error refused(const std::string& what, const Reply& r, Scope scope) const {
    return Error{Code::MailboxCommand,
                 "POP3 server " + conn_.label() + " refused " + what + ": -ERR " + r.text, "", scope,
                 Retry::Later};
  }

  // Send `verb N` for each id (N from the last UIDL), keeping up to kWindow
  // in flight, and hand each reply to `on_reply` in order. Unknown ids are a
  // Scope::Message error before anything is sent.
  template <class OnReply>
  Status pipelined(const char* verb, const std::vector<std::string>& ids, OnReply& on_reply,
                   std::optional<Error>& stop, const char* suffix = "") {
    if (number_of_.empty() && !ids.empty()) {
      if (auto l = list_ids(0, std::nullopt); !l) return std::unexpected(l.error());
    }
    std::vector<std::uint32_t> numbers;
    numbers.reserve(ids.size());
    for (const auto& id : ids) {
      auto it = number_of_.find(id);
      if (it == number_of_.end())
        return fail(Code::MailboxBadId, "no message with UIDL \"" + id + "\" on " + conn_.label());
      numbers.push_back(it->second);
    }
    std::size_t window = pipelining_ ? kWindow : 1;
    std::size_t sent = 0, done = 0;
    while (done < ids.size()) {
      std::string batch;
      while (!stop && sent < ids.size() && sent - done < window) {
        batch += std::string(verb) + " " + std::to_string(numbers[sent++]) + suffix + "\r\n";
      }
      if (!batch.empty()) {
        batch.resize(batch.size() - 2);  // send() adds the last CRLF
        if (auto s = send(batch); !s) return s;
      }
      if (done == sent) break;  // stopped with nothing in flight
      auto r = read_reply();
      if (!r) return std::unexpected(r.error());
      if (auto s = on_reply(ids[done], *r); !s) return s;
      ++done;
    }
    return {};
  }

  Connection conn_;
  Pop3Reader reader_;
  std::string caps_;
  bool pipelining_ = false;
  bool top_ = false;
  std::unordered_map<std::string, std::uint32_t> number_of_;  // UIDL -> message number
  std::optional<Error> broken_;
  bool closed_ = false;
};

}  // namespace

Result<std::unique_ptr<MailboxSession>> open_pop3_session(Connection conn) {
  auto s = std::make_unique<Pop3Session>(std::move(conn));
  if (auto st = s->start(); !st) return std::unexpected(st.error());
  return std::unique_ptr<MailboxSession>(std::move(s));
}

}  // namespace crmr
