#include "core/crm/client_assertion.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <nlohmann/json.hpp>

#include <vector>

#include "core/base/ascii.h"
#include "core/base/normalize.h"

namespace crmr::dataverse {
namespace {

constexpr std::int64_t kLifetimeS = 600;  // Entra ID: "5-10 minutes after nbf"

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using Bio = std::unique_ptr<BIO, BioFree>;
using Cert = std::unique_ptr<X509, X509Free>;
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

Bio memory_bio(std::string_view pem) {
  return Bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
}

Error certificate_error(const std::string& what, const std::string& why) {
  ERR_clear_error();  // OpenSSL's queue is per thread: leave it empty for the next caller
  return Error{Code::AuthCertificate, what + ": " + why,
               "give a PEM file with the certificate registered for the application and its "
               "unencrypted RSA private key (see crm-router.conf(5), oauth2.certificate)",
               Scope::Run, Retry::Never};
}

std::string hex_upper(const unsigned char* p, unsigned n) {
  static const char* digits = "0123456789ABCDEF";
  std::string out;
  for (unsigned i = 0; i < n; ++i) {
    out += digits[p[i] >> 4];
    out += digits[p[i] & 15];
  }
  return out;
}

// A random (version 4) GUID, lower case; "" when no random bytes can be had.
std::string random_guid() {
  unsigned char b[16];
  if (RAND_bytes(b, sizeof b) != 1) return {};
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);
  const std::string h = ascii_lower(hex_upper(b, sizeof b));
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) +
         "-" + h.substr(20);
}

}  // namespace

struct ClientAssertionSigner::Key {
  Pkey pkey;
};

Result<ClientAssertionSigner> ClientAssertionSigner::load(std::string_view certificate_pem,
                                                          std::string_view key_pem,
                                                          const std::string& what) {
  Bio cb = memory_bio(certificate_pem);
  Cert cert(cb ? PEM_read_bio_X509(cb.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!cert) return std::unexpected(certificate_error(what, "no PEM certificate in it"));

  Bio kb = memory_bio(key_pem.empty() ? certificate_pem : key_pem);
  // No passphrase callback: an encrypted key fails here instead of prompting.
  Pkey key(kb ? PEM_read_bio_PrivateKey(kb.get(), nullptr,
                                        [](char*, int, int, void*) { return 0; }, nullptr)
              : nullptr);
  if (!key)
    return std::unexpected(certificate_error(
        what, key_pem.empty() ? "no unencrypted private key next to the certificate"
                              : "the key file holds no unencrypted private key"));
  if (EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_RSA)
    return std::unexpected(certificate_error(what, "the private key is not an RSA key"));
  if (X509_check_private_key(cert.get(), key.get()) != 1)
    return std::unexpected(certificate_error(what, "the private key does not belong to the certificate"));

  unsigned char* der = nullptr;
  int der_len = i2d_X509(cert.get(), &der);
  if (der_len <= 0) return std::unexpected(certificate_error(what, "the certificate cannot be encoded"));
  unsigned char s1[EVP_MAX_MD_SIZE], s256[EVP_MAX_MD_SIZE];
  unsigned n1 = 0, n256 = 0;
  bool ok = EVP_Digest(der, der_len, s1, &n1, EVP_sha1(), nullptr) == 1 &&
            EVP_Digest(der, der_len, s256, &n256, EVP_sha256(), nullptr) == 1;
  OPENSSL_free(der);
  if (!ok) return std::unexpected(certificate_error(what, "the certificate's thumbprint cannot be computed"));

  ClientAssertionSigner s;
  s.key_ = std::make_shared<Key>();
  s.key_->pkey = std::move(key);
  s.x5t_ = base64url(std::string_view(reinterpret_cast<const char*>(s1), n1));
  s.x5t_s256_ = base64url(std::string_view(reinterpret_cast<const char*>(s256), n256));
  s.sha1_hex_ = hex_upper(s1, n1);
  s.sha256_hex_ = hex_upper(s256, n256);
  ERR_clear_error();
  return s;
}

Result<std::string> ClientAssertionSigner::assertion(const std::string& client_id,
                                                     const std::string& audience,
                                                     std::int64_t now_s) const {
  const std::string jti = random_guid();
  if (jti.empty())
    return fail(Code::AuthCertificate, "no random bytes for the client assertion's jti", Scope::Run,
                Retry::Later);
  const nlohmann::json header = {{"alg", "PS256"}, {"typ", "JWT"}, {"x5t#S256", x5t_s256_}, {"x5t", x5t_}};
  const nlohmann::json claims = {{"aud", audience},       {"iss", client_id}, {"sub", client_id},
                                 {"jti", jti},  {"nbf", now_s},     {"iat", now_s},
                                 {"exp", now_s + kLifetimeS}};
  const std::string input = base64url(header.dump()) + "." + base64url(claims.dump());

  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;  // owned by ctx
  std::size_t len = 0;
  std::vector<unsigned char> sig;
  bool ok = ctx && EVP_DigestSignInit(ctx.get(), &pctx, EVP_sha256(), nullptr, key_->pkey.get()) == 1 &&
            EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
            EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) == 1 &&
            EVP_DigestSign(ctx.get(), nullptr, &len,
                           reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1;
  if (ok) {
    sig.resize(len);
    ok = EVP_DigestSign(ctx.get(), sig.data(), &len,
                        reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1;
  }
  ERR_clear_error();
  if (!ok)
    return fail(Code::AuthCertificate, "the client assertion could not be signed with the certificate's key");
  return input + "." + base64url(std::string_view(reinterpret_cast<const char*>(sig.data()), len));
}

}  // namespace crmr::dataverse
