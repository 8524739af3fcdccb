#include "core/sources/byte_stream.h"
#include "core/base/utf8_path.h"

#include <zlib.h>

#include "core/sources/stdin_mode.h"

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <utility>
#include <vector>


namespace crmr {
namespace {

class FileStream final : public ByteStream {
 public:
  FileStream(std::ifstream in, std::string name) : in_(std::move(in)), name_(std::move(name)) {}
  Result<std::size_t> read(char* dst, std::size_t n) override {
    auto got = in_.rdbuf()->sgetn(dst, static_cast<std::streamsize>(n));
    if (got < 0) {
      return fail(Code::SourceReadError, "cannot read " + name_, Scope::Mailbox, Retry::Later);
    }
    return static_cast<std::size_t>(got);
  }

 private:
  std::ifstream in_;
  std::string name_;
};

class StdinStream final : public ByteStream {
 public:
  Result<std::size_t> read(char* dst, std::size_t n) override {
    std::size_t got = std::fread(dst, 1, n, stdin);
    if (got == 0 && std::ferror(stdin)) {
      return fail(Code::SourceReadError, "cannot read standard input");
    }
    return got;
  }
};

class IstreamStream final : public ByteStream {
 public:
  IstreamStream(std::istream& in, std::string name) : in_(in), name_(std::move(name)) {}
  Result<std::size_t> read(char* dst, std::size_t n) override {
    in_.read(dst, static_cast<std::streamsize>(n));
    if (in_.bad()) return fail(Code::SourceReadError, "cannot read " + name_);
    return static_cast<std::size_t>(in_.gcount());
  }

 private:
  std::istream& in_;
  std::string name_;
};

class PrefixedStream final : public ByteStream {
 public:
  PrefixedStream(std::string prefix, std::unique_ptr<ByteStream> rest)
      : prefix_(std::move(prefix)), rest_(std::move(rest)) {}
  Result<std::size_t> read(char* dst, std::size_t n) override {
    if (used_ < prefix_.size()) {
      std::size_t k = std::min(n, prefix_.size() - used_);
      std::memcpy(dst, prefix_.data() + used_, k);
      used_ += k;
      return k;
    }
    return rest_->read(dst, n);
  }

 private:
  std::string prefix_;
  std::size_t used_ = 0;
  std::unique_ptr<ByteStream> rest_;
};

// Inflates with zlib (windowBits 15+32: gzip or zlib header detected). Owns
// the z_stream and ends it in the destructor.
class GunzipStream final : public ByteStream {
 public:
  GunzipStream(std::unique_ptr<ByteStream> in, std::string name)
      : in_(std::move(in)), name_(std::move(name)), inbuf_(kInBlock) {
    std::memset(&z_, 0, sizeof z_);
    ok_ = inflateInit2(&z_, 15 + 32) == Z_OK;
  }
  ~GunzipStream() override {
    if (ok_) inflateEnd(&z_);
  }
  GunzipStream(const GunzipStream&) = delete;
  GunzipStream& operator=(const GunzipStream&) = delete;

  Result<std::size_t> read(char* dst, std::size_t n) override {
    if (!ok_) return fail(Code::SourceGzipError, "cannot start zlib for " + name_);
    if (done_ || n == 0) return std::size_t{0};
    z_.next_out = reinterpret_cast<Bytef*>(dst);
    z_.avail_out = static_cast<uInt>(std::min<std::size_t>(n, 1u << 30));
    while (z_.avail_out > 0) {
      if (z_.avail_in == 0 && !in_eof_) {
        auto got = in_->read(inbuf_.data(), inbuf_.size());
        if (!got) return fail(got.error());
        if (*got == 0) in_eof_ = true;
        z_.next_in = reinterpret_cast<Bytef*>(inbuf_.data());
        z_.avail_in = static_cast<uInt>(*got);
      }
      int rc = inflate(&z_, Z_NO_FLUSH);
      if (rc == Z_STREAM_END) {
        // Another gzip member may follow; anything else (padding) ends the data.
        if (z_.avail_in == 0 && !in_eof_) {
          auto got = in_->read(inbuf_.data(), inbuf_.size());
          if (!got) return fail(got.error());
          z_.next_in = reinterpret_cast<Bytef*>(inbuf_.data());
          z_.avail_in = static_cast<uInt>(*got);
          if (*got == 0) in_eof_ = true;
        }
        if (z_.avail_in >= 2 && z_.next_in[0] == 0x1f && z_.next_in[1] == 0x8b) {
          inflateReset(&z_);
          continue;
        }
        done_ = true;
        break;
      }
      if (rc == Z_BUF_ERROR && z_.avail_in == 0 && in_eof_) {
        return fail(Code::SourceGzipTruncated, name_ + ": the gzip data ends early (truncated file)",
                    "check that the file was copied completely");
      }
      if (rc != Z_OK && rc != Z_BUF_ERROR) {
        return fail(Code::SourceGzipCorrupt,
                    name_ + ": corrupt gzip data (" + (z_.msg ? z_.msg : "zlib error") + ")");
      }
    }
    return n - z_.avail_out;
  }

 private:
  static constexpr std::size_t kInBlock = 256 * 1024;
  std::unique_ptr<ByteStream> in_;
  std::string name_;
  std::vector<char> inbuf_;
  z_stream z_;
  bool ok_ = false;
  bool in_eof_ = false;
  bool done_ = false;
};

}  // namespace

Result<std::unique_ptr<ByteStream>> open_file_stream(const std::filesystem::path& path) {
  errno = 0;
  std::ifstream in(path, std::ios::in | std::ios::binary);
  if (!in) {
    std::string why = errno ? std::strerror(errno) : "cannot open";
    return fail(Code::SourceUnreadable, "cannot open " + utf8_string(path) + ": " + why,
                "check the path and its permissions");
  }
  return std::make_unique<FileStream>(std::move(in), utf8_string(path));
}

std::optional<std::int64_t> file_mtime(const std::filesystem::path& path) {
  std::error_code ec;
  auto t = std::filesystem::last_write_time(path, ec);
  if (ec) return std::nullopt;
  // file_clock -> system_clock by the clocks' current offset (clock_cast is
  // missing before GCC 13; the error is far below one second).
  auto sys = std::chrono::system_clock::now() +
             std::chrono::duration_cast<std::chrono::system_clock::duration>(
                 t - std::filesystem::file_time_type::clock::now());
  return std::chrono::duration_cast<std::chrono::seconds>(sys.time_since_epoch()).count();
}

std::unique_ptr<ByteStream> stdin_stream() {
  set_stdin_binary();
  return std::make_unique<StdinStream>();
}

std::unique_ptr<ByteStream> istream_stream(std::istream& in, std::string name) {
  return std::make_unique<IstreamStream>(in, std::move(name));
}

std::unique_ptr<ByteStream> prefixed_stream(std::string prefix, std::unique_ptr<ByteStream> rest) {
  return std::make_unique<PrefixedStream>(std::move(prefix), std::move(rest));
}

std::unique_ptr<ByteStream> gunzip_stream(std::unique_ptr<ByteStream> compressed,
                                          std::string name) {
  return std::make_unique<GunzipStream>(std::move(compressed), std::move(name));
}

}  // namespace crmr
