// Charset conversion (iconv) and header decoding: RFC 2047 encoded words,
// RFC 2231 parameters, raw 8-bit headers.
#pragma once

#include <string>
#include <string_view>

namespace crmr {

// Convert `bytes` in `charset` to UTF-8. Unknown or missing charset, or bytes
// that do not fit the label: valid UTF-8 is kept, anything else is read as
// windows-1252. Never fails; `*replaced` (if given) is set when a fallback was used.
std::string to_utf8(std::string_view bytes, std::string_view charset, bool* replaced = nullptr);

// Decode a header value with RFC 2047 encoded words (any charset, B and Q),
// joining adjacent encoded words per the RFC; raw 8-bit text is converted with
// `fallback_charset` rules of to_utf8. Returns UTF-8.
std::string decode_header_text(std::string_view value);

// Decode an RFC 2231 extended parameter value (charset'lang'%XX...) to UTF-8.
std::string decode_rfc2231(std::string_view value);

// Make `s` valid UTF-8, replacing bad sequences with U+FFFD.
std::string sanitize_utf8(std::string_view s);

}  // namespace crmr
