#include "cli/config/crm_config.h"

#include "cli/config/config_checker.h"

namespace crmr {
namespace {

// scheme://host[:port] of `url` ("" when it has no scheme).
std::string origin_of(const std::string& url) {
  auto scheme = url.find("://");
  if (scheme == std::string::npos) return {};
  auto slash = url.find('/', scheme + 3);
  return url.substr(0, slash);
}

}  // namespace

void read_crm_config(ConfigChecker& c, const toml::table& root, CrmConfig& out) {
  const toml::table* t = c.table(root, "crm");
  if (!t) return;
  const std::string s = "crm";
  out = CrmConfig{};
  out.line = static_cast<int>(t->source().begin.line);
  for (const char* secret : {"client_secret", "token", "password", "access_token"}) {
    if (const toml::node* n = t->get(secret))
      c.problem(*n, std::string("crm.") + secret +
                        ": secrets are not read from the configuration file; use client_secret_env, "
                        "client_secret_file or token_env");
  }
  c.unknown_keys(*t,
                 {"url", "auth", "tenant", "client_id", "client_secret_env", "client_secret_file",
                  "certificate", "certificate_key",
                  "token_env", "token_url", "scope", "concurrency", "mode", "tls_ca_file",
                  "tls_verify", "timeout_s", "max_attempts", "tracked_days", "queue_items", "queue_items_in_batch",
                  "apply_record_rules", "duplicate_lookup", "client_secret", "token", "password", "access_token"},
                 s);
  c.get(*t, "url", out.url, s);
  c.get(*t, "auth", out.auth, s);
  c.get(*t, "tenant", out.tenant, s);
  c.get(*t, "client_id", out.client_id, s);
  c.get(*t, "client_secret_env", out.client_secret_env, s);
  c.get(*t, "client_secret_file", out.client_secret_file, s);
  c.get(*t, "certificate", out.certificate, s);
  c.get(*t, "certificate_key", out.certificate_key, s);
  c.get(*t, "token_env", out.token_env, s);
  c.get(*t, "token_url", out.token_url, s);
  c.get(*t, "scope", out.scope, s);
  c.get(*t, "concurrency", out.concurrency, s);
  c.get(*t, "mode", out.mode, s);
  c.get(*t, "tls_ca_file", out.tls_ca_file, s);
  c.get(*t, "tls_verify", out.tls_verify, s);
  c.get(*t, "timeout_s", out.timeout_s, s);
  c.get(*t, "max_attempts", out.max_attempts, s);
  c.get(*t, "tracked_days", out.tracked_days, s);
  c.get(*t, "queue_items", out.queue_items, s);
  c.get(*t, "queue_items_in_batch", out.queue_items_in_batch, s);
  c.get(*t, "apply_record_rules", out.apply_record_rules, s);
  c.get(*t, "duplicate_lookup", out.duplicate_lookup, s);

  auto at = [&](const char* key) -> const toml::node& {
    const toml::node* n = t->get(key);
    return n ? *n : static_cast<const toml::node&>(*t);
  };
  if (out.url.empty()) {
    c.problem(*t, "crm.url is required: the Web API base, e.g. https://org.crm.dynamics.com/api/data/v9.2/");
  } else if (out.url.rfind("https://", 0) != 0 && out.url.rfind("http://", 0) != 0) {
    c.problem(at("url"), "crm.url must start with https:// (or http:// for a local test server)");
  } else if (out.url.back() != '/') {
    out.url += '/';
  }
  if (out.auth == "client_credentials") {
    if (out.client_id.empty()) c.problem(*t, "crm.client_id is required with auth = \"client_credentials\"");
    if (int(!out.client_secret_env.empty()) + int(!out.client_secret_file.empty()) +
            int(!out.certificate.empty()) != 1)
      c.problem(*t, "crm: give exactly one of client_secret_env, client_secret_file and certificate");
    if (!out.certificate_key.empty() && out.certificate.empty())
      c.problem(at("certificate_key"), "crm.certificate_key goes with certificate");
    if (out.token_url.find("{tenant}") != std::string::npos) {
      if (out.tenant.empty())
        c.problem(*t, "crm.tenant is required (the default token_url contains {tenant})");
      else
        out.token_url.replace(out.token_url.find("{tenant}"), 8, out.tenant);
    }
  } else if (out.auth == "bearer") {
    if (out.token_env.empty()) c.problem(*t, "crm.token_env is required with auth = \"bearer\"");
  } else {
    c.problem(at("auth"), "crm.auth must be \"client_credentials\" or \"bearer\"");
  }
  if (out.scope.empty() && !out.url.empty()) {
    std::string origin = origin_of(out.url);
    if (!origin.empty()) out.scope = origin + "/.default";
  }
  if (out.concurrency < 1 || out.concurrency > 52)
    c.problem(at("concurrency"), "crm.concurrency must be 1..52 (the CRM allows 52 concurrent requests per user)");
  if (out.duplicate_lookup != "in" && out.duplicate_lookup != "or" && out.duplicate_lookup != "single")
    c.problem(at("duplicate_lookup"), "crm.duplicate_lookup must be \"in\", \"or\" or \"single\"");
  if (out.mode != "local" && out.mode != "server")
    c.problem(at("mode"), "crm.mode must be \"local\" or \"server\"");
  if (out.timeout_s < 1) c.problem(at("timeout_s"), "crm.timeout_s must be at least 1");
  if (out.max_attempts < 1) c.problem(at("max_attempts"), "crm.max_attempts must be at least 1");
}

}  // namespace crmr
