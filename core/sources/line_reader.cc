#include "core/sources/line_reader.h"

#include <algorithm>
#include <cstring>
#include <utility>

namespace crmr {
namespace {
constexpr std::size_t kBlock = 1u << 20;
}

LineReader::LineReader(std::unique_ptr<ByteStream> in, std::size_t max_piece)
    : in_(std::move(in)), max_piece_(max_piece) {}

Result<bool> LineReader::fill() {
  if (eof_) return false;
  if (begin_ > 0 && (begin_ >= buf_.size() / 2 || buf_.size() - end_ < kBlock)) {
    std::memmove(buf_.data(), buf_.data() + begin_, buffered());
    scan_ -= begin_;
    end_ -= begin_;
    begin_ = 0;
  }
  if (buf_.size() - end_ < kBlock) buf_.resize(std::max(buf_.size() * 2, end_ + kBlock));
  auto got = in_->read(buf_.data() + end_, buf_.size() - end_);
  if (!got) return fail(got.error());
  if (*got == 0) {
    eof_ = true;
    return false;
  }
  end_ += *got;
  return true;
}

Result<bool> LineReader::next(Line& out) {
  for (;;) {
    if (scan_ < end_) {
      const char* base = buf_.data();
      auto* nl = static_cast<const char*>(std::memchr(base + scan_, '\n', end_ - scan_));
      if (nl) {
        std::size_t stop = static_cast<std::size_t>(nl - base) + 1;
        out = Line{std::string_view(base + begin_, stop - begin_), true};
        consumed_ += stop - begin_;
        begin_ = scan_ = stop;
        return true;
      }
      scan_ = end_;
    }
    if (buffered() >= max_piece_) {
      out = Line{std::string_view(buf_.data() + begin_, buffered()), false};
      consumed_ += buffered();
      begin_ = scan_ = end_;
      return true;
    }
    auto more = fill();
    if (!more) return fail(more.error());
    if (!*more) {
      if (buffered() == 0) return false;
      out = Line{std::string_view(buf_.data() + begin_, buffered()), true};
      consumed_ += buffered();
      begin_ = scan_ = end_;
      return true;
    }
  }
}

Result<std::string_view> LineReader::peek(std::size_t n) {
  while (buffered() < n) {
    auto more = fill();
    if (!more) return fail(more.error());
    if (!*more) break;
  }
  return std::string_view(buf_.data() + begin_, std::min(n, buffered()));
}

Result<std::string_view> LineReader::peek_line() {
  std::size_t from = begin_;
  for (;;) {
    const char* base = buf_.data();
    if (auto* nl = static_cast<const char*>(std::memchr(base + from, '\n', end_ - from))) {
      return std::string_view(base + begin_, static_cast<std::size_t>(nl - base) + 1 - begin_);
    }
    if (buffered() >= max_piece_) return std::string_view(base + begin_, buffered());
    std::size_t seen = end_ - begin_;
    auto more = fill();
    if (!more) return fail(more.error());
    if (!*more) return std::string_view(buf_.data() + begin_, buffered());
    from = begin_ + seen;
  }
}

void LineReader::skip(std::size_t n) {
  n = std::min(n, buffered());
  begin_ += n;
  scan_ = std::max(scan_, begin_);
  consumed_ += n;
}

}  // namespace crmr
