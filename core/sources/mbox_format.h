// The rules of the mbox format family, as pure functions over lines: what a
// From_ separator line looks like, the date it carries, and how each flavour
// quotes body lines that start with "From ".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace crmr {

// mboxo: only ">From " is unquoted (to "From "); ">>From " stays.
// mboxrd: ">...>From " loses one '>'.
// mboxcl2: messages are delimited by Content-Length; nothing is quoted.
// Auto: Content-Length when it checks out, else From_ lines with mboxrd
// unquoting (see mbox_source.h for why that is a safe default).
enum class MboxFormat { Auto, Mboxo, Mboxrd, Mboxcl2 };
const char* to_string(MboxFormat f);
// "auto" (or empty), "mboxo", "mboxrd", "mboxcl2"; anything else is a
// Scope::Run error naming the value.
Result<MboxFormat> parse_mbox_format(std::string_view name);

// How many '>' to strip from quoted From lines.
enum class Unquote { None, MboxoOne, MboxrdAll };

// `line` without its trailing "\n" or "\r\n".
std::string_view chomp(std::string_view line);
// A line holding nothing but an end of line ("\n" or "\r\n").
bool is_blank_line(std::string_view line);

// A From_ separator with a recognisable shape: "From " then a sender and an
// asctime-like date (a month name, a hh:mm[:ss] time and a 4-digit year,
// in any order after the sender; zone tokens allowed), or Thunderbird's
// "From - ..." marker.
// "From Russia with love" and "From the beginning, ..." are not separators.
bool is_dated_from_line(std::string_view line);
// "From <one token>" and nothing else, e.g. Google Takeout's
// "From 1844347792267117879@xxx". Only a separator when it follows a blank
// line and a header line follows it (the reader checks those).
bool is_bare_from_line(std::string_view line);
// A header field line: "Name:" where Name is printable ASCII without spaces.
bool looks_like_header(std::string_view line);

// The boundary parameter of a Content-Type field value when it is
// multipart/*, else empty. `value` may hold folded lines.
std::string multipart_boundary(std::string_view value);

// The date of a From_ line in Unix seconds (UTC unless a numeric zone such as
// "+0200" is given), or nullopt when it has none.
std::optional<std::int64_t> from_line_date(std::string_view line);

// Appends `line` (a whole line, or the first piece of one) to `out`, removing
// one level of From quoting as `mode` says.
void append_unquoted(std::string& out, std::string_view line, Unquote mode);
// Same over a block of whole lines (a Content-Length body).
void append_unquoted_block(std::string& out, std::string_view block, Unquote mode);

}  // namespace crmr
