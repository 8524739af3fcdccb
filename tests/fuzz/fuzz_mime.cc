// fuzz_mime: the whole input is one raw message for parse_message(), once with
// the default limits and once with tiny ones (so that every cut-off path runs).
#include "core/mime/mime_parser.h"
#include "fuzz_targets.h"

namespace crmr::fuzz {

void run_mime(std::string_view data) {
  (void)parse_message(data);
  ParseLimits tiny;
  tiny.max_message_bytes = 4096;
  tiny.max_header_bytes = 256;
  tiny.max_header_line = 64;
  tiny.max_parts = 4;
  tiny.max_depth = 2;
  (void)parse_message(data, tiny);
}

}  // namespace crmr::fuzz
