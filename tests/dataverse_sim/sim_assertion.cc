#include "sim_assertion.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <memory>
#include <vector>

namespace crmr::sim {
namespace {

constexpr long long kSkewS = 300;

std::optional<std::string> unbase64url(const std::string& in) {
  std::string out;
  unsigned v = 0;
  int bits = 0;
  for (char c : in) {
    int d;
    if (c >= 'A' && c <= 'Z') d = c - 'A';
    else if (c >= 'a' && c <= 'z') d = c - 'a' + 26;
    else if (c >= '0' && c <= '9') d = c - '0' + 52;
    else if (c == '-') d = 62;
    else if (c == '_') d = 63;
    else return std::nullopt;
    v = (v << 6) | static_cast<unsigned>(d);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((v >> bits) & 0xff);
    }
  }
  return out;
}

std::string b64url(const unsigned char* p, unsigned n) {
  static const char* t = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  unsigned v = 0;
  int bits = 0;
  for (unsigned i = 0; i < n; ++i) {
    v = (v << 8) | p[i];
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += t[(v >> bits) & 63];
    }
  }
  if (bits > 0) out += t[(v << (6 - bits)) & 63];
  return out;
}

struct Freer {
  void operator()(X509* x) const { X509_free(x); }
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
  void operator()(BIO* b) const { BIO_free(b); }
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};

}  // namespace

std::optional<std::string> check_client_assertion(const std::string& jwt,
                                                  const std::string& certificate_pem,
                                                  const std::string& client_id,
                                                  const std::string& audience) {
  auto d1 = jwt.find('.');
  auto d2 = d1 == std::string::npos ? d1 : jwt.find('.', d1 + 1);
  if (d2 == std::string::npos) return "AADSTS50027: JWT token is invalid or malformed.";
  auto header_text = unbase64url(jwt.substr(0, d1));
  auto claims_text = unbase64url(jwt.substr(d1 + 1, d2 - d1 - 1));
  auto signature = unbase64url(jwt.substr(d2 + 1));
  if (!header_text || !claims_text || !signature) return "AADSTS50027: JWT token is invalid or malformed.";
  auto header = nlohmann::json::parse(*header_text, nullptr, false);
  auto claims = nlohmann::json::parse(*claims_text, nullptr, false);
  if (!header.is_object() || !claims.is_object()) return "AADSTS50027: JWT token is invalid or malformed.";

  std::unique_ptr<BIO, Freer> bio(BIO_new_mem_buf(certificate_pem.data(), static_cast<int>(certificate_pem.size())));
  std::unique_ptr<X509, Freer> cert(bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!cert) return "sim: the simulator's --client-certificate holds no certificate";
  unsigned char* der = nullptr;
  int der_len = i2d_X509(cert.get(), &der);
  unsigned char s1[EVP_MAX_MD_SIZE], s256[EVP_MAX_MD_SIZE];
  unsigned n1 = 0, n256 = 0;
  EVP_Digest(der, der_len, s1, &n1, EVP_sha1(), nullptr);
  EVP_Digest(der, der_len, s256, &n256, EVP_sha256(), nullptr);
  OPENSSL_free(der);
  const bool named = header.value("x5t#S256", std::string{}) == b64url(s256, n256) ||
                     header.value("x5t", std::string{}) == b64url(s1, n1);
  if (!named)
    return "AADSTS700027: The certificate with identifier used to sign the client assertion is not "
           "registered on application.";

  const std::string alg = header.value("alg", std::string{});
  if (alg != "PS256" && alg != "RS256") return "AADSTS5002730: Invalid JWT token. Unsupported key for the signing algorithm.";
  std::unique_ptr<EVP_PKEY, Freer> key(X509_get_pubkey(cert.get()));
  std::unique_ptr<EVP_MD_CTX, Freer> ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;
  const std::string input = jwt.substr(0, d2);
  bool ok = key && ctx && EVP_DigestVerifyInit(ctx.get(), &pctx, EVP_sha256(), nullptr, key.get()) == 1;
  if (ok && alg == "PS256")
    ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
         EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) == 1;
  ok = ok && EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature->data()),
                              signature->size(), reinterpret_cast<const unsigned char*>(input.data()),
                              input.size()) == 1;
  ERR_clear_error();
  if (!ok) return "AADSTS7000274: Invalid JWT token. The client assertion signature is invalid.";

  if (claims.value("aud", std::string{}) != audience)
    return "AADSTS700212: No matching federated identity record found for presented assertion audience '" +
           claims.value("aud", std::string{}) + "'.";
  if (claims.value("iss", std::string{}) != client_id || claims.value("sub", std::string{}) != client_id)
    return "AADSTS700023: Client assertion audience claim does not match Realm issuer.";
  const long long now = std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::system_clock::now().time_since_epoch()).count();
  const long long exp = claims.value("exp", 0LL), nbf = claims.value("nbf", 0LL);
  if (exp <= now - kSkewS) return "AADSTS700024: Client assertion is not within its valid time range.";
  if (nbf > now + kSkewS) return "AADSTS700024: Client assertion is not within its valid time range.";
  return std::nullopt;
}

}  // namespace crmr::sim
