// MailboxSession: one logged-in connection to a remote mailbox (IMAP or POP3),
// behind one narrow interface. Implementations (libcurl) live in core/mailbox/*.cc;
// no curl type appears in a header.
//
// Failure: connection, TLS and login problems are Errors with Scope::Mailbox
// (Retry::Later for network trouble, Never for authentication); a problem with
// one message is Scope::Message.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace crmr {

// TLS sessions kept across the connections of one run: a connection to a
// server whose session another one of the run holds resumes it (an
// abbreviated handshake, one round trip less). Thread-safe.
class TlsSessions;
std::shared_ptr<TlsSessions> make_tls_sessions();
void* tls_sessions_handle(const TlsSessions& s);  // libcurl's CURLSH*, internal to core/mailbox

struct MailboxEndpoint {
  std::string url;           // imap://host[:port], imaps://, pop3://, pop3s://
  std::string user;
  std::string password;      // secret: never logged, never in errors
  std::string oauth2_token;  // XOAUTH2 bearer token (instead of password)
  std::string ca_file;       // extra CA bundle; empty: the system's
  bool verify_tls = true;    // off only by explicit option (logged as a warning)
  enum class StartTls { Required, Optional, Off } starttls = StartTls::Optional;
  std::chrono::seconds timeout{60};
  // Login mechanisms to try in this order (names of login_mechanism_names());
  // the next is tried when one is refused or not offered. Empty: XOAUTH2 with
  // a token, else plain, login, user. GSSAPI and NTLM only when named.
  std::vector<std::string> auth;
  // Receives the protocol conversation line by line ("C: ...", "S: ...",
  // "-- note") with secrets masked; empty: no trace.
  std::function<void(std::string_view line)> trace;
  // The folder the session will select first. IMAP: when it is INBOX and the
  // login told the capabilities, INBOX is selected in the same round trip as
  // NAMESPACE. Empty: no guess.
  std::string first_folder;
  // Shared with the run's other connections (make_tls_sessions()); empty: none.
  std::shared_ptr<TlsSessions> tls_sessions;
};

// The names `auth` accepts: plain login cram-md5 xoauth2 gssapi ntlm user apop.
const std::vector<std::string>& login_mechanism_names();

// What a kind of mailbox can do, as the session reports it (isync's driver
// capabilities): the engine and the commands ask these, never which protocol
// is behind the session. IMAP has them all; POP3 none but remove.
struct MailboxCapabilities {
  // More than one folder, each selected by name; without: INBOX only.
  bool folders = false;
  // Ids that persist across sessions in ascending order, under a validity
  // number (IMAP UID and UIDVALIDITY): a cursor "every id up to N" says what
  // was read. Without (POP3 UIDL): the ids already read are remembered one by one.
  bool persistent_uids = false;
  bool flags = false;   // mark_seen() keeps a \Seen flag on the server
  bool move = false;    // move_to() another folder
  bool remove = false;  // remove(): IMAP \Deleted + EXPUNGE, POP3 DELE at logout
  // The word for an id in reports: "UID" (persistent) or "UIDL".
  const char* id_name() const { return persistent_uids ? "UID" : "UIDL"; }
};

// The capabilities of the mailbox at `url` by its scheme (imap, imaps: IMAP;
// pop3, pop3s: POP3), before connecting: for checking a configuration.
// Implemented in core/mailbox (open_mailbox.cc picks the protocol the same way).
MailboxCapabilities mailbox_capabilities(std::string_view url);

struct FolderState {
  std::uint32_t uidvalidity = 0;  // IMAP; 0 for POP3
  std::uint32_t uidnext = 0;      // IMAP; 0 for POP3
  std::uint32_t exists = 0;       // messages in the folder
};

// What list_ids found in the selected folder.
struct IdListing {
  std::vector<std::string> ids;  // to fetch, ascending
  // IMAP: UIDs in range that SEARCH SINCE left out (older than the date floor).
  std::vector<std::string> skipped_by_date;
  // Where the server's answers disagreed and how it was worked around, in
  // words for the report ("UID SEARCH listed 0 of 3 messages ...").
  std::vector<std::string> warnings;
};

struct RemoteMessage {
  std::string id;      // IMAP: the UID in decimal; POP3: the UIDL
  std::string bytes;   // the whole message as stored on the server
  std::optional<std::int64_t> internal_date;  // IMAP INTERNALDATE, Unix s
};

class MailboxSession {
 public:
  virtual ~MailboxSession() = default;

  // "IMAP4rev1 UIDPLUS MOVE ..." / "UIDL TOP ..." as the server announced them.
  virtual std::string capabilities() const = 0;
  // What this kind of mailbox can do (not what the server announced).
  virtual MailboxCapabilities caps() const = 0;
  // The login mechanism that worked ("plain", "user", ...).
  virtual std::string logged_in_with() const { return {}; }
  // Round trips to the server so far, login included (Connection::round_trips).
  virtual std::uint64_t round_trips() const { return 0; }
  // IMAP: the personal namespace as the server announced it (RFC 2342),
  // e.g. personal prefix "INBOX.", separator "."; empty for POP3.
  virtual std::string namespace_text() const { return {}; }
  // The server's name of a configured folder: INBOX stays INBOX; a name not
  // already inside a namespace gets the personal prefix ("Processed" ->
  // "INBOX.Processed" on Cyrus/Courier), "/" becomes the server's separator.
  // select() and move_to() resolve their folder this way.
  virtual std::string resolve_folder(const std::string& folder) const { return folder; }

  // Open a folder (POP3: the only folder is "INBOX").
  virtual Result<FolderState> select(const std::string& folder) = 0;

  // Ids of the messages to consider in the selected folder, in ascending order.
  // IMAP: UIDs greater than `after_uid` up to UIDNEXT-1 (UID SEARCH, never
  // "n:*"), restricted to SINCE `since` when given; the count is checked
  // against EXISTS by sequence number, and when they disagree the UIDs are
  // read with FETCH 1:n (UID) instead (a warning says so). POP3: every UIDL
  // (the caller skips those it has seen; `since` is the caller's, see
  // fetch_headers).
  virtual Result<IdListing> list_ids(std::uint32_t after_uid,
                                     std::optional<std::int64_t> since) = 0;

  // Fetch `ids` without changing flags (BODY.PEEK), many per round trip,
  // calling `each` in order. Stops at the first error `each` returns.
  virtual Status fetch(const std::vector<std::string>& ids,
                       const std::function<Status(RemoteMessage&&)>& each) = 0;

  // The header of each of `ids` (POP3: TOP n 0; IMAP: BODY.PEEK[HEADER]), in
  // order, as `bytes` of a RemoteMessage; for date filters before download.
  virtual Status fetch_headers(const std::vector<std::string>& ids,
                               const std::function<Status(RemoteMessage&&)>& each) = 0;

  // Dispose of messages (after their decisions are committed).
  virtual Status mark_seen(const std::vector<std::string>& ids) = 0;
  virtual Status move_to(const std::vector<std::string>& ids, const std::string& folder) = 0;  // creates the folder if missing
  virtual Status remove(const std::vector<std::string>& ids) = 0;  // IMAP: \Deleted + UID EXPUNGE; POP3: DELE (effective at logout)

  // Log out cleanly (POP3: QUIT commits DELE).
  virtual Status close() = 0;
};

// Connect, negotiate TLS, authenticate. Scheme picks the protocol.
Result<std::unique_ptr<MailboxSession>> open_mailbox(const MailboxEndpoint& ep);

}  // namespace crmr
