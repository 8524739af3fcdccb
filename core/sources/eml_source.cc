#include "core/sources/eml_source.h"

#include <algorithm>
#include <utility>

namespace crmr {

EmlSource::EmlSource(std::unique_ptr<ByteStream> in, std::string source, std::string position,
                     std::string display, std::size_t max_message_bytes,
                     std::optional<std::int64_t> mtime, bool gzip)
    : in_(std::move(in)),
      source_(std::move(source)),
      position_(std::move(position)),
      display_(std::move(display)),
      max_(max_message_bytes),
      mtime_(mtime),
      gzip_(gzip) {}

std::string EmlSource::describe() const {
  return std::string(gzip_ ? "gzip eml " : "eml ") + display_;
}

Result<std::optional<RawMessage>> EmlSource::next() {
  if (done_) return std::nullopt;
  done_ = true;
  constexpr std::size_t kChunk = 256 * 1024;
  std::string bytes;
  std::size_t have = 0;
  for (;;) {
    // Read at most one byte past the limit: enough to know it is exceeded.
    std::size_t want = std::min(kChunk, max_ + 1 - have);
    if (want == 0) {
      in_.reset();
      return fail(Code::SourceMessageTooLarge,
                  "message " + display_ + " is over the limit of " + std::to_string(max_) +
                      " bytes",
                  "raise the message size limit to read it");
    }
    bytes.resize(have + want);
    auto got = in_->read(bytes.data() + have, want);
    if (!got) return fail(got.error());
    if (*got == 0) break;
    have += *got;
  }
  bytes.resize(have);
  in_.reset();
  return RawMessage{source_, position_, std::move(bytes), mtime_};
}

}  // namespace crmr
