// Self-signed certificates for the tests of certificate credentials, made by
// the openssl command (scripts/setup-deps installs it): an application's
// certificate with its unencrypted private key, as an administrator makes one
// before uploading the certificate to the app registration.
#pragma once

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace crmr::test {

struct TestCertificate {
  std::string cert;      // PEM certificate
  std::string key;       // PEM private key (PKCS#8, unencrypted unless made so)
  std::string combined;  // certificate and key in one PEM file
};

inline std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Files `prefix`.crt, `prefix`.key and `prefix`.pem; `key_args` picks the key
// ("rsa:2048", "ec -pkeyopt ec_paramgen_curve:P-256"). Empty paths when
// openssl failed.
inline TestCertificate make_certificate(const std::string& prefix,
                                        const std::string& key_args = "rsa:2048") {
  TestCertificate c{prefix + ".crt", prefix + ".key", prefix + ".pem"};
  const std::string cmd = "openssl req -x509 -newkey " + key_args + " -nodes -keyout '" + c.key +
                          "' -out '" + c.cert + "' -days 2 -subj /CN=crm-router-test >/dev/null 2>&1";
  if (std::system(cmd.c_str()) != 0) return {};
  std::ofstream(c.combined, std::ios::binary) << slurp(c.cert) << slurp(c.key);
  return c;
}

}  // namespace crmr::test
