// Sources of at most one message: EmlSource (a stream that is one message,
// e.g. a .eml file, a Maildir file, gzip'ed .eml, stdin) and EmptySource (an
// empty or blank file: nothing to read, not an error).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "core/mail_source.h"
#include "core/sources/byte_stream.h"

namespace crmr {

class EmlSource final : public MailSource {
 public:
  // `position` is RawMessage::position ("#1" for a lone file, else the file
  // relative to its tree); `display` names the file in errors; `mtime` is the
  // envelope date.
  EmlSource(std::unique_ptr<ByteStream> in, std::string source, std::string position,
            std::string display, std::size_t max_message_bytes,
            std::optional<std::int64_t> mtime, bool gzip);
  std::string describe() const override;
  // The message once, then nullopt. Over max_message_bytes: a Scope::Message
  // error naming the file; read errors: Scope::Mailbox.
  Result<std::optional<RawMessage>> next() override;

 private:
  std::unique_ptr<ByteStream> in_;
  std::string source_, position_, display_;
  std::size_t max_;
  std::optional<std::int64_t> mtime_;
  bool gzip_;
  bool done_ = false;
};

class EmptySource final : public MailSource {
 public:
  explicit EmptySource(std::string display) : display_(std::move(display)) {}
  std::string describe() const override { return "empty file " + display_; }
  Result<std::optional<RawMessage>> next() override { return std::nullopt; }

 private:
  std::string display_;
};

}  // namespace crmr
