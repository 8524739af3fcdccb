// base64url (client_assertion.h), shared by every platform's signer.
#include "core/base/normalize.h"
#include "core/crm/client_assertion.h"

namespace crmr::dataverse {

std::string base64url(std::string_view bytes) {
  std::string out = base64_encode(bytes);
  while (!out.empty() && out.back() == '=') out.pop_back();
  for (char& c : out) c = c == '+' ? '-' : c == '/' ? '_' : c;
  return out;
}

}  // namespace crmr::dataverse
