// LineReader: lines out of a ByteStream, read in large blocks (1 MiB) into one
// growing buffer. Owns its stream. Views it returns stay valid only until the
// next call on the reader.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/sources/byte_stream.h"

namespace crmr {

class LineReader {
 public:
  // A line with its "\n" (the input's last line may lack one). When
  // `max_piece` bytes are buffered without a newline, they come back as a
  // piece with complete == false (the rest of the line follows), so memory
  // stays bounded even for input without newlines.
  struct Line {
    std::string_view text;
    bool complete = true;
  };

  explicit LineReader(std::unique_ptr<ByteStream> in, std::size_t max_piece = 4u << 20);

  // The next line; false at the end of the input. Errors come from the stream.
  Result<bool> next(Line& out);
  // Up to `n` bytes ahead of the read position without consuming them; fewer
  // only at the end of the input.
  Result<std::string_view> peek(std::size_t n);
  // The next line without consuming it (empty at the end of the input).
  Result<std::string_view> peek_line();
  // Consumes `n` bytes, which a peek() must have buffered.
  void skip(std::size_t n);
  // Bytes consumed since the start of the stream.
  std::uint64_t offset() const { return consumed_; }

 private:
  Result<bool> fill();  // reads one more block; false at the end of the input
  std::size_t buffered() const { return end_ - begin_; }

  std::unique_ptr<ByteStream> in_;
  std::vector<char> buf_;
  std::size_t begin_ = 0;  // first unconsumed byte
  std::size_t scan_ = 0;   // no '\n' in [begin_, scan_)
  std::size_t end_ = 0;    // end of the buffered bytes
  std::size_t max_piece_;
  bool eof_ = false;
  std::uint64_t consumed_ = 0;
};

}  // namespace crmr
