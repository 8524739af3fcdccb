// TNEF ("winmail.dat", application/ms-tnef, MS-OXTNEF): Outlook's wrapper for
// rich-text mail. decode_tnef reads one stream into files and bodies;
// expand_tnef replaces the TNEF attachments of a parsed Message with what is
// inside them. Our own bounded decoder: every length is checked against the
// bytes left, counts and nesting are capped, nothing is allocated beyond a
// bounded multiple of the input.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/message.h"
#include "core/result.h"

namespace crmr {

struct TnefLimits {
  std::size_t max_attachments = 1000;   // files taken from one message; more are skipped
  std::size_t max_depth = 4;            // embedded messages inside embedded messages
  std::size_t max_rtf_bytes = 64u * 1024 * 1024;  // decompressed RTF body
};

// What one TNEF stream holds.
struct TnefContent {
  // The files, in stream order, named from the long (unicode) name when there
  // is one, else the 8.3 title, else the display name. Files of embedded
  // messages (attach method 5) are flattened in, after their parent's place.
  std::vector<Attachment> attachments;
  std::string html_body;  // UTF-8: PR_HTML / PR_BODY_HTML, else HTML de-encapsulated from RTF
  std::string text_body;  // UTF-8: PR_BODY, else attBody
  std::string rtf;        // PR_RTF_COMPRESSED decompressed (raw RTF bytes); empty if none
  bool rtf_from_html = false;  // the RTF encapsulates HTML (\fromhtml1): html_body holds it
  std::vector<std::string> warnings;  // damage met (truncation, bad checksums, skipped parts)
};

// Decode a TNEF stream. Error tnef.not_tnef when the signature is missing;
// any later damage (truncation, garbage after the end, malformed properties)
// keeps what was read before it and adds a warning.
Result<TnefContent> decode_tnef(std::string_view data, const TnefLimits& limits = {});

// True when the bytes start with the TNEF signature.
bool looks_like_tnef(std::string_view data);

// Replace every TNEF attachment of `msg` (application/ms-tnef,
// application/vnd.ms-tnef, or a winmail.dat, with the TNEF signature) by the
// files inside it; a compressed RTF body that is not encapsulated HTML becomes
// an attachment "body.rtf" (application/rtf). The TNEF body fills the
// message's blank bodies only: a blank html_body takes PR_HTML (or the HTML
// de-encapsulated from the RTF); a blank text_body takes PR_BODY, else, when
// the message still has no HTML, the text of a native RTF body. A TNEF part
// that cannot be decoded stays as it is, with a warning.
void expand_tnef(Message& msg, const TnefLimits& limits = {});

}  // namespace crmr
