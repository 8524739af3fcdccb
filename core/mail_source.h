// MailSource: where raw messages come from (files, mailboxes). One message at
// a time, streaming: a source never holds more than one message in memory.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "core/result.h"

namespace crmr {

struct RawMessage {
  std::string source;    // what it came from: a file path, "-" for stdin, a mailbox name
  std::string position;  // where in the source: "#12" (1-based index in an mbox), a file
                         // name relative to the source root, "UID 42"
  std::string bytes;     // the message exactly as stored (mbox escaping removed)
  std::optional<std::int64_t> envelope_date;  // mbox From_ line date or file mtime, Unix s
};

class MailSource {
 public:
  virtual ~MailSource() = default;
  // Short human description, e.g. "mbox foo.mbox (mboxrd)".
  virtual std::string describe() const = 0;
  // Next message; std::nullopt at the end. An error with Scope::Message means
  // one message could not be read (the caller reports it and calls next()
  // again); any other scope means the source cannot go on.
  virtual Result<std::optional<RawMessage>> next() = 0;
};

}  // namespace crmr
