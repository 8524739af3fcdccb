// The body half of a MIME entity: splitting a multipart body at its
// boundaries and undoing the content-transfer-encoding (with mimetic's codecs;
// this file holds the one catch for mimetic exceptions). Internal to
// crmr_core_mime.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace crmr {

// A multipart body cut at "--boundary" lines. Parts view the input.
struct MultipartSplit {
  std::vector<std::string_view> parts;
  bool found = false;   // at least one delimiter line
  bool closed = false;  // the closing "--boundary--" line was seen
};

// Delimiters are recognised only at line starts, followed by optional blanks
// (or "--" for the closing one), so a boundary that is a prefix of a nested
// boundary does not split the nested part. Stops after `max_parts` parts.
MultipartSplit split_multipart(std::string_view body, std::string_view boundary,
                               std::size_t max_parts);

// Decode `body` per its Content-Transfer-Encoding value (base64,
// quoted-printable; anything else is taken as is). Never throws: if the codec
// fails, the raw bytes are returned and a warning is appended.
std::string decode_transfer(std::string_view body, std::string_view encoding,
                            std::vector<std::string>& warnings);

// Text for the Message: CRLF and lone CR -> LF, NUL bytes removed.
std::string normalize_text(std::string_view text, bool* had_nul = nullptr);

}  // namespace crmr
