// A client assertion for certificate credentials (RFC 7523, OpenID Connect's
// private_key_jwt): a short-lived JWT naming the application, signed with the
// private key of a certificate the application registered, sent instead of a
// client secret in the client-credentials token request. The form is the one
// Microsoft Entra ID documents: header {"alg":"PS256","typ":"JWT",
// "x5t#S256":..., "x5t":...} (SHA-256 and SHA-1 thumbprints of the
// certificate's DER, base64url), claims aud (the token URL), iss = sub (the
// client id), jti (random), nbf = iat (now), exp (now + 10 minutes).
//
// libcrypto (OpenSSL) is used here only; no OpenSSL type appears in this
// header. Only RSA keys: Entra ID takes no other certificate credentials.
//
// Failure: a certificate or key that cannot be read, a key that is not RSA or
// does not belong to the certificate are Errors "auth.certificate"
// (Retry::Never) that the caller re-scopes (the CRM, a mailbox); the key is
// never put in an error.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"

namespace crmr::dataverse {

class ClientAssertionSigner {
 public:
  // From PEM text: `certificate_pem` holds the certificate (and may hold the
  // key too); `key_pem` the private key, unencrypted (PKCS#8 or PKCS#1), or ""
  // when it is in `certificate_pem`. `what` names the source in errors (e.g.
  // "mailbox exo: certificate /etc/crm-router/app.pem").
  static Result<ClientAssertionSigner> load(std::string_view certificate_pem,
                                            std::string_view key_pem, const std::string& what);

  // The signed JWT for `client_id` at token endpoint `audience`, issued at
  // `now_s` (Unix seconds). Failure: the signature could not be made.
  Result<std::string> assertion(const std::string& client_id, const std::string& audience,
                                std::int64_t now_s) const;

  // Thumbprints of the certificate's DER encoding, upper-case hex: SHA-1 is the
  // "Thumbprint" Entra ID shows for an uploaded certificate.
  const std::string& sha1_thumbprint() const { return sha1_hex_; }
  const std::string& sha256_thumbprint() const { return sha256_hex_; }

 private:
  struct Key;
  std::shared_ptr<Key> key_;  // the private key (shared: the signer is copyable)
  std::string x5t_;           // base64url SHA-1 of the DER
  std::string x5t_s256_;      // base64url SHA-256 of the DER
  std::string sha1_hex_, sha256_hex_;
};

// Base64url without padding (RFC 4648 section 5), as JWTs use it.
std::string base64url(std::string_view bytes);

}  // namespace crmr::dataverse
