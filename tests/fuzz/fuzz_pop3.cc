// fuzz_pop3: the input is what a server sends, handed to Pop3Reader in chunks;
// control bits decide, per reply, whether the caller expects a status line or
// a multi-line body (as the session does per command).
#include "core/mailbox/pop3_reader.h"
#include "fuzz_targets.h"

namespace crmr::fuzz {

void run_pop3(std::string_view data) {
  InputReader in(data);
  const std::size_t chunk = 1 + in.byte() % 128;
  unsigned pattern = in.byte() | (static_cast<unsigned>(in.byte()) << 8);
  const std::string_view stream = in.rest();

  Pop3Reader reader;
  std::size_t handed = 0;
  for (int step = 0; step < 1000000; ++step) {
    const bool want_body = pattern & 1;
    bool got = false;
    if (want_body) {
      got = reader.next_body().has_value();
    } else {
      auto line = reader.next_line();
      if (!line) return;  // protocol error: the session drops the connection
      got = line->has_value();
    }
    if (got) {
      pattern = (pattern >> 1) | ((pattern & 1) << 15);
      continue;
    }
    if (handed == stream.size()) return;
    auto piece = stream.substr(handed, chunk);
    reader.append(piece);
    handed += piece.size();
  }
}

}  // namespace crmr::fuzz
