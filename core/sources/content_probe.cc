#include "core/sources/content_probe.h"

#include <utility>

#include "core/sources/mbox_format.h"

namespace crmr {
namespace {

// Reads up to kProbeBytes; sets `complete` when the stream ended before that.
Result<std::string> read_head(ByteStream& in, bool& complete) {
  std::string head(kProbeBytes, '\0');
  std::size_t have = 0;
  complete = false;
  while (have < head.size()) {
    auto got = in.read(head.data() + have, head.size() - have);
    if (!got) return fail(got.error());
    if (*got == 0) {
      complete = true;
      break;
    }
    have += *got;
  }
  head.resize(have);
  return head;
}

}  // namespace

const char* to_string(ContentKind k) {
  switch (k) {
    case ContentKind::Empty: return "empty";
    case ContentKind::Mbox: return "mbox";
    case ContentKind::Eml: return "eml";
    case ContentKind::Unknown: return "unknown";
  }
  return "?";
}

ContentKind classify_head(std::string_view head, bool complete) {
  if (head.starts_with("\xEF\xBB\xBF")) head.remove_prefix(3);
  std::size_t i = head.find_first_not_of(" \t\r\n");
  if (i == std::string_view::npos) return complete ? ContentKind::Empty : ContentKind::Unknown;
  std::string_view rest = head.substr(i);
  // "From " counts only at the start of a line: skipped white space must be
  // whole blank lines (git's sample.mbox starts with some).
  if (rest.starts_with("From ") && (i == 0 || head[i - 1] == '\n')) return ContentKind::Mbox;
  if (looks_like_header(rest)) return ContentKind::Eml;
  return ContentKind::Unknown;
}

Result<ProbedStream> probe_content(std::unique_ptr<ByteStream> raw, const std::string& name) {
  bool complete = false;
  auto head = read_head(*raw, complete);
  if (!head) return fail(head.error());
  ProbedStream out;
  if (head->size() >= 2 && static_cast<unsigned char>((*head)[0]) == 0x1f &&
      static_cast<unsigned char>((*head)[1]) == 0x8b) {
    out.gzip = true;
    auto inflated = gunzip_stream(prefixed_stream(std::move(*head), std::move(raw)), name);
    auto inner = read_head(*inflated, complete);
    if (!inner) return fail(inner.error());
    out.kind = classify_head(*inner, complete);
    out.stream = prefixed_stream(std::move(*inner), std::move(inflated));
    return out;
  }
  out.kind = classify_head(*head, complete);
  out.stream = prefixed_stream(std::move(*head), std::move(raw));
  return out;
}

}  // namespace crmr
