// Opening one byte stream (a file's content, standard input, any
// std::istream) as a MailSource, with the kind detected from its content:
// gzip is decompressed first, then an mbox gives all its messages, a header
// block one message, blank input none. Used by open_source() and for every
// file of a Maildir or tree.
#pragma once

#include <cstdint>
#include <istream>
#include <memory>
#include <optional>
#include <string>

#include "core/mail_source.h"
#include "core/result.h"
#include "core/sources/byte_stream.h"
#include "core/sources/open_source.h"

namespace crmr {

struct StreamOrigin {
  std::string source;         // RawMessage::source
  std::string position_base;  // a file relative to its tree root; empty for a lone file
  std::string display;        // how errors and describe() name the input
  std::optional<std::int64_t> mtime;  // envelope date of a single message
};

// Errors: content that is not mail ("source.unknown_content") and stream
// errors, both Scope::Mailbox; a bad opts.mbox_format is Scope::Run.
Result<std::unique_ptr<MailSource>> open_stream(std::unique_ptr<ByteStream> raw,
                                                const StreamOrigin& origin,
                                                const SourceOptions& opts);

// The same over a std::istream the caller keeps alive (standard input is
// this with std::cin; tests use std::istringstream).
Result<std::unique_ptr<MailSource>> open_istream(std::istream& in, const std::string& name,
                                                 const SourceOptions& opts = {});

}  // namespace crmr
