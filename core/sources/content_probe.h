// Content detection: what a byte stream holds, judged from its first bytes
// (never from a file name). Reads at most kProbeBytes ahead and hands the
// bytes back through the returned stream, so standard input needs no seek.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"
#include "core/sources/byte_stream.h"

namespace crmr {

enum class ContentKind {
  Empty,    // no bytes, or only white space
  Mbox,     // the first non-blank line starts with "From "
  Eml,      // the first non-blank line is a header field ("Name: ...")
  Unknown,  // anything else: binary data, HTML, plain text, a README
};
const char* to_string(ContentKind k);

inline constexpr std::size_t kProbeBytes = 64 * 1024;

// Judges the first bytes of a stream (`head`, complete == the stream has no
// more). A UTF-8 byte order mark and leading white space are skipped.
ContentKind classify_head(std::string_view head, bool complete);

struct ProbedStream {
  ContentKind kind = ContentKind::Unknown;
  bool gzip = false;                    // the input was gzip; `stream` is decompressed
  std::unique_ptr<ByteStream> stream;   // the whole content, from its first byte
};

// Probes `raw`: a gzip stream (magic 1f 8b) is decompressed and its content
// judged the same way. Errors are those of the stream (Scope::Mailbox).
Result<ProbedStream> probe_content(std::unique_ptr<ByteStream> raw, const std::string& name);

}  // namespace crmr
