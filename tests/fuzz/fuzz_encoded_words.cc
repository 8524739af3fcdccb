// fuzz_encoded_words: the first line is a charset label, the rest is text.
// The text goes through decode_header_text() and decode_rfc2231() and, with
// the label, to_utf8(); every result must be valid UTF-8.
#include <cstdlib>

#include "core/mime/charset.h"
#include "fuzz_targets.h"

namespace crmr::fuzz {
namespace {

bool valid_utf8(std::string_view s) { return sanitize_utf8(s) == s; }

void check(std::string_view s) {
  if (!valid_utf8(s)) std::abort();
}

}  // namespace

void run_encoded_words(std::string_view data) {
  InputReader in(data);
  const std::string_view charset = in.until('\n');
  const std::string_view text = in.rest();
  check(decode_header_text(text));
  check(decode_header_text(data));
  check(decode_rfc2231(text));
  check(decode_rfc2231(data));
  bool replaced = false;
  check(to_utf8(text, charset, &replaced));
  check(sanitize_utf8(data));
}

}  // namespace crmr::fuzz
