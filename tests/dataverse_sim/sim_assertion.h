// The simulated identity platform's check of a client assertion (certificate
// credentials, RFC 7523): a JWT whose header names the registered certificate
// by thumbprint (x5t#S256 or x5t), signed with its key (PS256 or RS256), with
// aud = the token URL, iss = sub = the client id, and a time window that
// includes now. libcrypto verifies the signature.
#pragma once

#include <optional>
#include <string>

namespace crmr::sim {

// nullopt when `jwt` is a valid assertion for `client_id` at `audience`,
// signed by the key of `certificate_pem`; else the AADSTS-style reason.
std::optional<std::string> check_client_assertion(const std::string& jwt,
                                                  const std::string& certificate_pem,
                                                  const std::string& client_id,
                                                  const std::string& audience);

}  // namespace crmr::sim
