// POP3 reply framing (RFC 1939), pure: bytes in, replies out, no I/O.
//
// A reply is a status line ("+OK ..." / "-ERR ...") optionally followed by a
// multi-line body that ends with a line holding a single dot; body lines that
// begin with two dots were dot-stuffed by the server and lose the first one
// (a line with a single leading dot is kept whole: Dovecot 2.3 leaves the
// first line of a message unstuffed).
// The caller knows which commands have a body and asks for it.
//
// Failure: an over-long status line is an Error with Scope::Mailbox, code
// "mailbox.protocol".
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace crmr {

class Pop3Reader {
 public:
  static constexpr std::size_t kMaxLine = 1024 * 1024;

  void append(std::string_view bytes);
  // The next line without its CRLF, nullopt when more bytes are needed.
  Result<std::optional<std::string>> next_line();
  // The next multi-line body, unstuffed, lines ending CRLF as sent, without
  // the terminating ".\r\n"; nullopt when more bytes are needed.
  std::optional<std::string> next_body();

 private:
  void compact();

  std::string buf_;
  std::size_t start_ = 0;   // first unread byte
  std::size_t line_ = 0;    // body: first line (after start_) not yet known to be body
  std::size_t search_ = 0;  // body: bytes after start_ already searched for LF
};

}  // namespace crmr
