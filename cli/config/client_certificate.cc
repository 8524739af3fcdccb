// Certificate credentials from their PEM files; see client_certificate.h.
#include "cli/config/client_certificate.h"

#include "cli/config/secret_file.h"

namespace crmr {
namespace {

Result<std::string> read_pem(const std::string& path, const std::string& setting,
                             std::vector<std::string>& warnings) {
  auto s = read_secret_file(path, setting, warnings, SecretFileForm::Whole);
  if (s) return *s;
  return fail(Code::ConfigSecret,
              setting + " " + path +
                  (s.error() == SecretFileProblem::Empty ? " is empty" : " cannot be read"),
              "check the path and that crm-router may read it");
}

}  // namespace

Result<dataverse::ClientAssertionSigner> load_client_certificate(const std::string& certificate,
                                                                 const std::string& key,
                                                                 const std::string& setting,
                                                                 std::vector<std::string>& warnings) {
  auto cert = read_pem(certificate, setting + "certificate", warnings);
  if (!cert) return std::unexpected(cert.error());
  std::string key_pem;
  if (!key.empty()) {
    auto k = read_pem(key, setting + "certificate_key", warnings);
    if (!k) return std::unexpected(k.error());
    key_pem = std::move(*k);
  }
  return dataverse::ClientAssertionSigner::load(*cert, key_pem,
                                                setting + "certificate " + certificate);
}

}  // namespace crmr
