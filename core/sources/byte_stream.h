// ByteStream: a forward-only source of bytes (a file, standard input, a
// std::istream, a gzip decompressor over another stream). The mail readers
// pull large blocks from it; nothing here seeks, so standard input works the
// same as a file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <istream>
#include <memory>
#include <optional>
#include <string>

#include "core/result.h"

namespace crmr {

class ByteStream {
 public:
  virtual ~ByteStream() = default;
  // Reads up to `n` bytes into `dst`; 0 means the end of the input. A read
  // failure (I/O error, corrupt or truncated gzip data) is a Scope::Mailbox
  // error: the stream cannot go on.
  virtual Result<std::size_t> read(char* dst, std::size_t n) = 0;
};

// The file at `path`, opened for binary reading. Error (Scope::Mailbox,
// "source.unreadable") when it cannot be opened.
Result<std::unique_ptr<ByteStream>> open_file_stream(const std::filesystem::path& path);

// The modification time of `path` in Unix seconds (a message file's envelope
// date), or nullopt when it cannot be read.
std::optional<std::int64_t> file_mtime(const std::filesystem::path& path);

// Standard input, switched to binary mode where the platform distinguishes.
std::unique_ptr<ByteStream> stdin_stream();

// Bytes from `in`, which the caller keeps alive for the stream's lifetime.
// `name` is used in error messages.
std::unique_ptr<ByteStream> istream_stream(std::istream& in, std::string name);

// `prefix` first, then the rest of `rest`: gives back bytes read ahead for
// content detection without seeking.
std::unique_ptr<ByteStream> prefixed_stream(std::string prefix, std::unique_ptr<ByteStream> rest);

// The gzip-decompressed content of `compressed` (concatenated gzip members are
// read one after the other). `name` is used in error messages.
std::unique_ptr<ByteStream> gunzip_stream(std::unique_ptr<ByteStream> compressed,
                                          std::string name);

}  // namespace crmr
