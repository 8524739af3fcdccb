// fuzz_tracking_token: control bytes give the organisation's token layout
// (digits, base, counter maximum), the first line its prefix history
// ('|'-separated; an entry may be a ';' list as Dataverse stores it), the
// rest is the subject. A token found must lie inside the subject.
#include <cstdlib>

#include "core/decision/tracking_token.h"
#include "fuzz_targets.h"

namespace crmr::fuzz {

void run_tracking_token(std::string_view data) {
  InputReader in(data);
  OrgSettings org;
  org.token_id_digits = static_cast<int>(in.byte() % 24) - 2;
  org.token_id_base = static_cast<int>(in.byte()) * 1000 - 5000;
  const unsigned char counter = in.byte();
  org.max_tracking_number = counter >= 250 ? 2147483647 : static_cast<int>(counter) * 97 - 100;
  org.tracking_prefixes.clear();
  std::string_view history = in.until('\n');
  while (true) {
    auto bar = history.find('|');
    org.tracking_prefixes.emplace_back(history.substr(0, bar));
    if (bar == std::string_view::npos) break;
    history.remove_prefix(bar + 1);
  }
  const std::string_view subject = in.rest();
  auto token = find_tracking_token(subject, org);
  if (!token) return;
  if (token->digits.empty() || subject.find(token->digits) == std::string_view::npos)
    std::abort();
  (void)token->normalized();
}

}  // namespace crmr::fuzz
