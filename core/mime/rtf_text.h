// Reading text out of RTF: HTML de-encapsulation per MS-OXRTFEX (RTF that
// Outlook made from HTML, marked \fromhtml1) and plain-text extraction for
// simple RTF. Neither is an RTF renderer: formatting, tables and pictures are
// dropped. Bounded: linear in the input, group nesting capped.
#pragma once

#include <string>
#include <string_view>

namespace crmr {

enum class RtfOrigin { Rtf, Html, Text };  // native RTF, \fromhtml1, \fromtext

// What the RTF header says the body was made from.
RtfOrigin rtf_origin(std::string_view rtf);

// The HTML encapsulated in \fromhtml1 RTF, as UTF-8 (the \ansicpg code page
// and \uN escapes decoded).
std::string rtf_to_html(std::string_view rtf);

// The visible text of RTF as UTF-8: paragraphs as "\n", destinations such as
// font tables, pictures and field instructions skipped; for \fromhtml1 RTF
// the text parts outside \htmlrtf regions.
std::string rtf_to_text(std::string_view rtf);

}  // namespace crmr
