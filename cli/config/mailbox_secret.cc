#include "cli/config/mailbox_secret.h"

#include "cli/config/secret_file.h"
#include "cli/platform.h"

namespace crmr {

Error mailbox_secret_error(const MailboxConfig& m, const std::string& what, const std::string& hint) {
  return Error{Code::MailboxSecret, "mailbox " + m.name + ": " + what, hint, Scope::Mailbox,
               Retry::Never};
}

namespace {

Result<std::string> read_secret(const MailboxConfig& m, std::vector<std::string>& warnings) {
  if (!m.password_env.empty() || !m.oauth2_token_env.empty()) {
    const std::string& var = m.password_env.empty() ? m.oauth2_token_env : m.password_env;
    std::string v = platform::getenv_str(var.c_str());
    if (v.empty())
      return std::unexpected(mailbox_secret_error(m, "environment variable " + var + " is not set",
                                          "set it in the environment of crm-router"));
    return v;
  }
  if (!m.password_file.empty()) {
    auto line = read_secret_file(m.password_file, "mailbox " + m.name + ": password_file", warnings);
    if (!line && line.error() == SecretFileProblem::Unreadable)
      return std::unexpected(mailbox_secret_error(m, "cannot read password_file " + m.password_file,
                                          "check the path and its permissions"));
    if (!line)
      return std::unexpected(mailbox_secret_error(m, "password_file " + m.password_file + " is empty", ""));
    return *line;
  }
  auto token = platform::command_first_line(m.oauth2_token_command);
  if (!token)
    return std::unexpected(mailbox_secret_error(m, "oauth2_token_command failed: " + token.error().message,
                                        "run the command by hand to see why"));
  return *token;
}

}  // namespace

Result<MailboxEndpoint> mailbox_endpoint(const MailboxConfig& m,
                                         std::vector<std::string>& warnings) {
  MailboxEndpoint ep;
  ep.url = m.url;
  ep.user = m.user;
  ep.ca_file = m.tls_ca_file;
  ep.verify_tls = m.tls_verify;
  ep.timeout = std::chrono::seconds(m.timeout_s);
  ep.auth = m.auth;
  ep.starttls = m.starttls == "required" ? MailboxEndpoint::StartTls::Required
                : m.starttls == "off"    ? MailboxEndpoint::StartTls::Off
                                         : MailboxEndpoint::StartTls::Optional;
  if (!m.tls_verify)
    warnings.push_back("mailbox " + m.name +
                       ": TLS certificate verification is off (tls_verify = false)");
  if (m.oauth2) return ep;  // the token comes from the token endpoint: see mailbox_signin.h
  auto secret = read_secret(m, warnings);
  if (!secret) return std::unexpected(secret.error());
  (m.uses_oauth2() ? ep.oauth2_token : ep.password) = std::move(*secret);
  return ep;
}

}  // namespace crmr
