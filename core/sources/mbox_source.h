// MboxSource: the messages of one mbox stream (a file, gzip-decompressed data
// or standard input), read in one pass with memory bounded by the largest
// message plus the LineReader's block buffer.
//
// Splitting. A message starts at a From_ line: "From " at the start of a line
// with a sender and an asctime-like date, or Thunderbird's "From -" (see
// is_dated_from_line). No blank line is required before it (git's
// sample.mbox concatenates format-patch output without one). A bare
// "From <token>" line (Google Takeout) also splits, but only after a blank
// line and before a header line. Other "From " lines ("From Russia with
// love", unquoted by an mboxo writer) stay in the body. Inside a multipart
// message whose closing delimiter ("--boundary--") has not been seen, a From_
// line is body text (an attached patch) when that delimiter follows within
// the next MiB before any other From_ line; a multipart never closed cannot
// swallow the messages after it. The From_ line is
// not part of RawMessage::bytes; its date becomes envelope_date. One blank
// line before a From_ line or the end of input is mbox framing and is dropped.
//
// Content-Length (mboxcl/mboxcl2). In formats Auto and Mboxcl2, a message
// whose header block has "Content-Length: N" is cut after N body bytes when
// they end exactly at EOF or at a line starting "From " (one blank line in
// between allowed); then unquoted "From " lines inside the body do not split
// it. When the length does not land there, the message is split by From_
// lines as above.
//
// Unquoting, and why Auto means mboxrd. mboxo and mboxrd only disagree on
// lines ">>From ", ">>>From ", ...: mboxrd strips one '>', mboxo none. Such a
// line is the usual evidence that a file is mboxrd (an mboxo writer never
// adds a second '>'), and a file without any has the same content under both
// readings. So unquoting as mboxrd is what "mboxrd if any ^>>+From line"
// would choose, without scanning ahead, and it never needs to buffer or
// rewind. The explicit "mboxo" option is there for a genuine mboxo file
// whose bodies contain ">>From " text. A Content-Length body is taken
// verbatim (mboxcl2) when it holds an unquoted "From " line, else unquoted
// as mboxrd (mboxcl quotes like mboxo); explicit "mboxcl2" never unquotes.
//
// Errors: a message over max_message_bytes is skipped to the next From_ line
// and reported as a Scope::Message error ("source.message_too_large") naming
// the source and position; next() then goes on. Stream errors (I/O, corrupt
// gzip) are Scope::Mailbox and end the source.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "core/mail_source.h"
#include "core/sources/line_reader.h"
#include "core/sources/mbox_format.h"

namespace crmr {

struct MboxParams {
  std::string source;         // RawMessage::source
  std::string position_base;  // prefix of "#N" (a file relative to a tree root), may be empty
  std::string display;        // the file as named in errors and describe()
  MboxFormat format = MboxFormat::Auto;
  std::size_t max_message_bytes = 100u * 1024 * 1024;
  bool gzip = false;          // only for describe()
};

class MboxSource final : public MailSource {
 public:
  MboxSource(std::unique_ptr<ByteStream> in, MboxParams params);
  std::string describe() const override;
  Result<std::optional<RawMessage>> next() override;

 private:
  // The message being read: its bytes, or only its size once over the limit.
  struct Building {
    std::string bytes;
    std::size_t size = 0;
    std::size_t max = 0;
    bool over = false;
    void append(std::string_view s);
    void append_unquoted(std::string_view line, Unquote mode);
    void append_block(std::string_view block, Unquote mode);
  };

  Result<bool> skip_to_first_from();
  Status read_message(Building& b);
  Result<bool> try_content_length(Building& b, std::size_t length);
  Status read_body_lines(Building& b, const std::string& close);
  Result<bool> inside_multipart(std::string_view close);
  Status take_next_from_line();
  void set_next_from(std::string_view line);
  std::string position() const;
  std::unexpected<Error> stop(Error e);

  LineReader in_;
  MboxParams p_;
  Unquote unquote_;
  bool started_ = false;
  bool done_ = false;
  bool have_from_ = false;        // from_line_ starts the next message
  std::string from_line_;
  std::uint64_t from_offset_ = 0;  // byte offset of from_line_ in the stream
  std::size_t index_ = 0;          // 1-based number of the current message
};

}  // namespace crmr
