// Windows build of client_assertion.h. The Linux build signs with libcrypto
// (OpenSSL), which Debian does not ship for MinGW; a signer on Windows' own
// CNG (BCrypt, PSS padding) is still to be written. Until then certificate
// credentials are refused with a clear error: client secrets work.
#include "core/crm/client_assertion.h"

namespace crmr::dataverse {
namespace {
Error not_here(const std::string& what) {
  return Error{Code::AuthCertificate,
               what + ": certificate credentials are not supported by the Windows build yet",
               "use a client secret on Windows (see crm-router.conf(5)), or the Linux build",
               Scope::Run, Retry::Never};
}
}  // namespace

Result<ClientAssertionSigner> ClientAssertionSigner::load(std::string_view, std::string_view,
                                                          const std::string& what) {
  return std::unexpected(not_here(what));
}

Result<std::string> ClientAssertionSigner::assertion(const std::string&, const std::string&,
                                                     std::int64_t) const {
  return std::unexpected(not_here("client assertion"));
}

}  // namespace crmr::dataverse
