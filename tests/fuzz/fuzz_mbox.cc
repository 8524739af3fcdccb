// fuzz_mbox: the first byte picks the mbox flavour and the size limit, the
// rest is read as a stream (mbox, one message, or gzip of either) and every
// message is taken from the source until it ends or fails for good.
#include <sstream>
#include <string>

#include "core/sources/stream_source.h"
#include "fuzz_targets.h"

namespace crmr::fuzz {

void run_mbox(std::string_view data) {
  InputReader in(data);
  const unsigned char control = in.byte();
  static const char* const kFormats[] = {"auto", "mboxo", "mboxrd", "mboxcl2"};
  SourceOptions opts;
  opts.mbox_format = kFormats[control & 3];
  opts.max_message_bytes = (control & 4) ? 64 : 1024 * 1024;

  std::istringstream stream{std::string(in.rest())};
  auto source = open_istream(stream, "fuzz.mbox", opts);
  if (!source) return;
  // A gzip bomb or a run of tiny messages is still bounded by the count.
  for (int i = 0; i < 100000; ++i) {
    auto next = (*source)->next();
    if (!next) {
      if (next.error().scope != Scope::Message) return;
      continue;
    }
    if (!*next) return;
  }
}

}  // namespace crmr::fuzz
