#include "cli/mailbox_signin.h"

#include <spdlog/spdlog.h>

#include "cli/config/client_certificate.h"
#include "cli/config/mailbox_secret.h"
#include "cli/config/secret_file.h"
#include "cli/platform.h"

namespace crmr {
namespace {

// Token requests of one mailbox: fewer and shorter than the CRM's (the run
// goes on with the next mailbox).
constexpr int kTokenAttempts = 3;

// The oauth2 table's client_secret_file (its first line), through the one
// secret file reader.
Result<std::string> read_client_secret_file(const MailboxConfig& m, const std::string& path,
                                            std::vector<std::string>& warnings) {
  auto s = read_secret_file(path, "mailbox " + m.name + ": oauth2.client_secret_file", warnings);
  if (!s && s.error() == SecretFileProblem::Unreadable)
    return std::unexpected(mailbox_secret_error(m, "cannot read oauth2.client_secret_file " + path,
                                                "check the path and its permissions"));
  if (!s)
    return std::unexpected(
        mailbox_secret_error(m, "oauth2.client_secret_file " + path + " is empty", ""));
  return *s;
}

// The client's credential: the secret, or the certificate's signer.
Status read_credential(const MailboxConfig& m, dataverse::ClientCredentialsOptions& o,
                       std::vector<std::string>& warnings) {
  const MailboxOAuth2& a = *m.oauth2;
  if (!a.client_secret_env.empty()) {
    o.client_secret = platform::getenv_str(a.client_secret_env.c_str());
    if (o.client_secret.empty())
      return std::unexpected(mailbox_secret_error(m, "environment variable " + a.client_secret_env +
                                                 " (oauth2.client_secret_env) is not set",
                                          "set it in the environment of crm-router"));
    return {};
  }
  if (!a.client_secret_file.empty()) {
    auto s = read_client_secret_file(m, a.client_secret_file, warnings);
    if (!s) return std::unexpected(s.error());
    o.client_secret = std::move(*s);
    return {};
  }
  auto signer = load_client_certificate(a.certificate, a.certificate_key,
                                        "mailbox " + m.name + ": oauth2.", warnings);
  if (!signer) {
    Error e = signer.error();
    e.code = Code::MailboxSecret;
    e.scope = Scope::Mailbox;
    return std::unexpected(std::move(e));
  }
  o.certificate = std::move(*signer);
  return {};
}

std::string cache_key(const MailboxOAuth2& a) {
  return a.token_url + '\n' + a.client_id + '\n' + a.scope + '\n' + a.client_secret_env + '\n' +
         a.client_secret_file + '\n' + a.certificate + '\n' + a.certificate_key;
}

}  // namespace

Result<dataverse::ClientCredentials*> MailboxTokens::source(const MailboxConfig& m,
                                                             std::vector<std::string>& warnings) {
  const std::string key = cache_key(*m.oauth2);
  if (auto it = sources_.find(key); it != sources_.end()) return it->second.get();
  dataverse::ClientCredentialsOptions o;
  o.token_url = m.oauth2->token_url;
  o.client_id = m.oauth2->client_id;
  o.scope = m.oauth2->scope;
  o.max_attempts = kTokenAttempts;
  o.timeout = std::chrono::seconds(m.timeout_s);
  o.error_code = Code::MailboxAuth;
  o.error_scope = Scope::Mailbox;
  o.hint = "check the mailbox's oauth2 tenant, client_id and its secret or certificate; the app "
           "needs IMAP.AccessAsApp or POP.AccessAsApp with admin consent (README, Exchange Online)";
  if (auto st = read_credential(m, o, warnings); !st) return std::unexpected(st.error());
  auto made = std::make_unique<dataverse::ClientCredentials>(std::move(o));
  auto* p = made.get();
  sources_.emplace(key, std::move(made));
  return p;
}

Result<std::string> MailboxTokens::token(const MailboxConfig& m, std::vector<std::string>& warnings) {
  std::lock_guard lk(mu_);
  auto src = source(m, warnings);
  if (!src) return std::unexpected(src.error());
  const std::size_t before = (*src)->requests();
  auto t = (*src)->token();
  if (!t) {
    Error e = t.error();
    e.message = "mailbox " + m.name + ": no OAuth2 token: " + e.message;
    return std::unexpected(std::move(e));
  }
  if ((*src)->requests() != before) {
    const auto left = std::chrono::duration_cast<std::chrono::minutes>((*src)->expires() -
                                                                       dataverse::Clock::now());
    spdlog::info("mailbox {}: OAuth2 token obtained from {} (client {}, valid {} min)", m.name,
                 m.oauth2->token_url, m.oauth2->client_id, left.count());
  }
  return t;
}

void MailboxTokens::refused(const MailboxConfig& m, const std::string& used) {
  std::lock_guard lk(mu_);
  if (auto it = sources_.find(cache_key(*m.oauth2)); it != sources_.end()) it->second->refused(used);
}

std::size_t MailboxTokens::requests() const {
  std::lock_guard lk(mu_);
  std::size_t n = 0;
  for (const auto& [key, s] : sources_) n += s->requests();
  return n;
}

Result<std::unique_ptr<MailboxSession>> sign_in(const MailboxConfig& m, MailboxTokens& tokens,
                                                std::vector<std::string>& warnings,
                                                const std::function<void(MailboxEndpoint&)>& prepare) {
  auto ep = mailbox_endpoint(m, warnings);
  if (!ep) return std::unexpected(ep.error());
  if (prepare) prepare(*ep);
  if (!m.oauth2) return open_mailbox(*ep);
  for (int attempt = 1;; ++attempt) {
    auto token = tokens.token(m, warnings);
    if (!token) return std::unexpected(token.error());
    ep->oauth2_token = *token;
    auto session = open_mailbox(*ep);
    if (session || session.error().code != Code::MailboxAuth || attempt == 2) return session;
    spdlog::info("mailbox {}: the server refused the OAuth2 token; asking for a new one", m.name);
    tokens.refused(m, *token);
  }
}

}  // namespace crmr
