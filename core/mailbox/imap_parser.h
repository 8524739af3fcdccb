// IMAP response framing and parsing (RFC 3501), pure: bytes in, values out,
// no I/O, so it is tested without a server.
//
// ImapFramer cuts the byte stream from the server into whole responses: a
// response is one line, except that a line ending in a literal announcement
// "{n}" continues after exactly n bytes of literal data (which may contain
// anything, including "A004 OK" or "* 3 EXISTS" lines). parse_imap_response
// turns one framed response into an ImapResponse.
//
// Failure: malformed input (an over-long line, a bad literal length, garbage
// where a value belongs) is an Error with Scope::Mailbox, code
// "mailbox.protocol"; nothing here throws or crashes on hostile bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace crmr {

// Cuts a byte stream into whole IMAP responses. Owns its buffer.
class ImapFramer {
 public:
  static constexpr std::size_t kMaxLine = 64u * 1024 * 1024;      // without CRLF
  static constexpr std::size_t kMaxLiteral = 1024u * 1024 * 1024;

  void append(std::string_view bytes);
  // The next whole response (with its CRLF), nullopt when more bytes are needed.
  Result<std::optional<std::string>> next();
  // Bytes received but not yet returned as a response.
  std::size_t buffered() const { return buf_.size() - start_; }

 private:
  std::string buf_;
  std::size_t start_ = 0;         // first byte of the response being framed
  std::size_t line_start_ = 0;    // first byte of its current line
  std::size_t scanned_ = 0;       // bytes of the current line already searched for LF
  std::size_t literal_left_ = 0;  // literal bytes still to skip
};

// One value of a response: an atom (also NIL and numbers, and atoms with a
// [section] such as BODY[] or BODY[HEADER.FIELDS (FROM)]), a string (quoted
// or literal, unescaped), or a parenthesised list.
struct ImapValue {
  enum class Type { Atom, String, List };
  Type type = Type::Atom;
  std::string text;                // Atom and String
  std::vector<ImapValue> items;    // List

  bool is_atom(std::string_view name) const;  // case-insensitive
  std::optional<std::uint32_t> number() const;  // an Atom of digits that fits
};

struct ImapResponse {
  enum class Kind { Tagged, Untagged, Continuation };
  Kind kind = Kind::Untagged;
  std::string tag;        // Tagged: the command's tag
  std::string status;     // "OK" "NO" "BAD" "BYE" "PREAUTH" (upper case); empty for data
  std::string code;       // status response code without brackets, e.g. "UIDVALIDITY 7"
  std::string text;       // status text (or a continuation's text)
  std::optional<std::uint32_t> number;  // "* 3 EXISTS" / "* 3 FETCH": 3
  std::string keyword;    // data: "EXISTS" "FETCH" "CAPABILITY" "SEARCH" ... (upper case)
  std::vector<ImapValue> values;  // data: the values after the keyword

  // The first word of `code` ("UIDVALIDITY"), upper case.
  std::string code_name() const;
  // The number after the code name ("UIDVALIDITY 7": 7).
  std::optional<std::uint32_t> code_number() const;
};

// Parse one response as returned by ImapFramer::next().
Result<ImapResponse> parse_imap_response(std::string_view frame);

// In a FETCH response's list, the value after `name` (case-insensitive), or null.
const ImapValue* fetch_item(const ImapResponse& r, std::string_view name);

// INTERNALDATE ("17-Jul-1996 02:44:25 -0700") as Unix seconds.
std::optional<std::int64_t> parse_internal_date(std::string_view s);

// A Unix time as an IMAP search date ("1-Feb-1994"), in UTC.
std::string imap_search_date(std::int64_t unix_seconds);

// A mailbox name as an IMAP quoted string, non-ASCII in modified UTF-7
// (RFC 3501 5.1.3), or as UTF-8 when `utf8` (after ENABLE UTF8=ACCEPT,
// RFC 6855 3). Error for names with CR, LF or NUL, or invalid UTF-8.
Result<std::string> imap_mailbox_arg(std::string_view utf8_name, bool utf8 = false);

// A mailbox name as the server sends it (modified UTF-7) in UTF-8, for
// showing; a malformed &...- run is kept as it came.
std::string imap_mailbox_name(std::string_view encoded);

// Ascending UIDs as a compact sequence set ("1:3,7,9:10"). Input need not be sorted.
std::string uid_set(std::vector<std::uint32_t> uids);

}  // namespace crmr
