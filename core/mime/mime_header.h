// The header half of a MIME entity: splitting raw bytes into header fields and
// body (bounded, linear time, tolerant of a missing separator), and reading
// structured values with parameters (Content-Type, Content-Disposition) with
// RFC 2231 continuations and charsets. Internal to crmr_core_mime.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/message.h"
#include "core/mime/mime_parser.h"
#include "core/base/ascii.h"

namespace crmr {

// One entity split into header fields and body. `body` views the input.
struct SplitEntity {
  std::vector<Header> fields;  // unfolded values, NULs replaced by spaces
  std::string_view body;
  bool header_found = false;   // at least one field line before the body
};

// Split `raw` at the first empty line. A line that is neither a field nor a
// continuation ends the header early (the body starts there, with a warning).
// For a top-level message a UTF-8 byte order mark, leading blank lines and an
// mbox "From " envelope line are skipped first. Fields beyond limits.max_header_bytes
// are dropped and values longer than limits.max_header_line are cut, each with
// a warning appended to `warnings`.
SplitEntity split_entity(std::string_view raw, const ParseLimits& limits,
                         std::vector<std::string>& warnings, bool top_level = false);

// First field named `name` (ASCII case-insensitive), or nullptr.
const Header* find_field(const std::vector<Header>& fields, std::string_view name);

// A structured value: "type/subtype; a=1; b*=utf-8''%C3%A9" -> value and
// decoded parameters (names lower-cased, values UTF-8; RFC 2231 assembled;
// RFC 2047 words inside quoted values decoded as mail clients do).
struct StructuredValue {
  std::string value;  // the part before the first ';', lower-cased and trimmed
  std::vector<std::pair<std::string, std::string>> params;

  // Parameter value, or "" when absent.
  const std::string& param(std::string_view name) const;
};

StructuredValue parse_structured(std::string_view raw);

}  // namespace crmr
