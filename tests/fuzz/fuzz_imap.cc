// fuzz_imap: the input is what a server sends, handed to ImapFramer in chunks
// (sizes from the first byte); each framed response is parsed, and the values
// the session reads from FETCH and status responses are looked at. The input
// also goes through the client-side helpers that take untrusted text.
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "core/mailbox/imap_parser.h"
#include "fuzz_targets.h"

namespace crmr::fuzz {
namespace {

void look_at(const ImapValue& v, int depth) {
  (void)v.is_atom("NIL");
  (void)v.number();
  if (v.type == ImapValue::Type::String) (void)parse_internal_date(v.text);
  if (depth < 64)
    for (const auto& item : v.items) look_at(item, depth + 1);
}

}  // namespace

void run_imap(std::string_view data) {
  InputReader in(data);
  const std::size_t chunk = 1 + in.byte() % 64;
  std::string_view stream = in.rest();

  ImapFramer framer;
  std::size_t handed = 0;
  while (true) {
    auto frame = framer.next();
    if (!frame) break;  // protocol error: the session drops the connection
    if (!*frame) {
      if (handed == stream.size()) break;
      auto piece = stream.substr(handed, chunk);
      framer.append(piece);
      handed += piece.size();
      continue;
    }
    if ((*frame)->empty()) std::abort();  // a response always has its line end
    auto r = parse_imap_response(**frame);
    if (!r) continue;
    (void)r->code_name();
    (void)r->code_number();
    for (const char* name : {"UID", "BODY[]", "RFC822.SIZE", "INTERNALDATE", "FLAGS"})
      if (const ImapValue* v = fetch_item(*r, name)) look_at(*v, 0);
    for (const auto& v : r->values) look_at(v, 0);
  }

  (void)parse_internal_date(stream);
  (void)imap_mailbox_arg(stream);
  std::vector<std::uint32_t> uids;
  for (std::size_t i = 0; i + 4 <= stream.size() && uids.size() < 256; i += 4) {
    std::uint32_t u = 0;
    for (std::size_t k = 0; k < 4; ++k) u = (u << 8) | static_cast<unsigned char>(stream[i + k]);
    uids.push_back(u);
  }
  (void)uid_set(uids);
  (void)imap_search_date(static_cast<std::int64_t>(uids.empty() ? 0 : uids.front()) * 1000);
}

}  // namespace crmr::fuzz
