#include "cli/config/config.h"
#include "core/base/utf8_path.h"

#include <filesystem>
#include <sstream>
#include <toml++/toml.h>

#include "cli/config/config_checker.h"

namespace crmr {
namespace {

void read_routing(ConfigChecker& c, const toml::table& t, Policy& p) {
  const std::string s = "routing";
  c.unknown_keys(t,
                 {"correlate_in_reply_to", "correlate_tracking_token",
                  "correlate_conversation_index", "smart_matching", "reject_auto_replies",
                  "reject_delivery_reports", "max_received_headers", "create_unknown_sender"},
                 s);
  c.get(t, "correlate_in_reply_to", p.correlate_in_reply_to, s);
  c.get(t, "correlate_tracking_token", p.correlate_tracking_token, s);
  c.get(t, "correlate_conversation_index", p.correlate_conversation_index, s);
  c.get(t, "reject_auto_replies", p.reject_auto_replies, s);
  c.get(t, "reject_delivery_reports", p.reject_delivery_reports, s);
  c.get(t, "max_received_headers", p.max_received_headers, s);
  if (const toml::node* n = t.get("smart_matching")) {
    if (auto b = n->value<bool>()) {
      p.smart_matching = *b;
    } else if (auto str = n->value<std::string>(); str && *str == "organization") {
      p.smart_matching.reset();
    } else {
      c.problem(*n, "routing.smart_matching must be true, false or \"organization\"");
    }
  }
  if (const toml::node* n = t.get("create_unknown_sender")) {
    auto v = n->value<std::string>();
    if (v && (*v == "contact" || *v == "lead")) {
      p.create_unknown_sender = *v;
    } else if (v && *v == "none") {
      p.create_unknown_sender.clear();
    } else {
      c.problem(*n, "routing.create_unknown_sender must be \"none\", \"contact\" or \"lead\"");
    }
  }
}

void read_limits(ConfigChecker& c, const toml::table& t, ParseLimits& l) {
  const std::string s = "limits";
  c.unknown_keys(t,
                 {"max_message_bytes", "max_header_bytes", "max_header_line", "max_parts",
                  "max_depth"},
                 s);
  c.get(t, "max_message_bytes", l.max_message_bytes, s);
  c.get(t, "max_header_bytes", l.max_header_bytes, s);
  c.get(t, "max_header_line", l.max_header_line, s);
  c.get(t, "max_parts", l.max_parts, s);
  c.get(t, "max_depth", l.max_depth, s);
}

// `path` made absolute against `base` (the config file's folder) when it is
// relative; empty stays empty.
void resolve_against(std::string& path, const std::filesystem::path& base) {
  if (path.empty()) return;
  const std::filesystem::path p = utf8_path(path);
  if (p.is_absolute()) return;
  path = utf8_string((base / p).lexically_normal());
}

// Every path the file names, made absolute against its folder.
void resolve_paths(Config& cfg) {
  std::error_code ec;
  auto base = std::filesystem::absolute(utf8_path(cfg.path), ec).parent_path();
  if (ec) return;
  if (cfg.db != ":memory:") resolve_against(cfg.db, base);
  resolve_against(cfg.report, base);
  if (cfg.log_file != "syslog") resolve_against(cfg.log_file, base);
  for (auto& m : cfg.mailboxes) {
    resolve_against(m.password_file, base);
    resolve_against(m.tls_ca_file, base);
    if (m.oauth2)
      for (std::string* f :
           {&m.oauth2->client_secret_file, &m.oauth2->certificate, &m.oauth2->certificate_key})
        resolve_against(*f, base);
  }
  for (std::string* f : {&cfg.crm.client_secret_file, &cfg.crm.certificate, &cfg.crm.certificate_key})
    resolve_against(*f, base);
  resolve_against(cfg.crm.tls_ca_file, base);
}

}  // namespace

Result<Config> load_config(const std::string& path, bool required) {
  Config cfg;
  std::error_code ec;
  if (path.empty() || !std::filesystem::exists(utf8_path(path), ec)) {
    if (required)
      return fail(Code::ConfigMissing, "configuration file " + path + " does not exist",
                  "check --config or create the file");
    return cfg;
  }
  cfg.path = path;
  toml::table root;
  try {
    root = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    std::ostringstream os;
    os << path << ':' << e.source().begin.line << ": " << e.description();
    return fail(Code::ConfigInvalid, os.str(), "see crm-router.conf(5) for the syntax");
  }
  ConfigChecker c(path);
  c.unknown_keys(root,
                 {"db", "report", "log_file", "log_level", "progress", "jobs", "import", "routing",
                  "limits", "mailbox", "crm", "cache", "run"},
                 "");
  c.get(root, "db", cfg.db, "");
  c.get(root, "report", cfg.report, "");
  c.get(root, "log_file", cfg.log_file, "");
  c.get(root, "log_level", cfg.log_level, "");
  c.get(root, "progress", cfg.progress, "");
  c.get(root, "jobs", cfg.jobs, "");
  if (const toml::node* n = root.get("log_level")) {
    static const char* levels[] = {"trace", "debug", "info", "warn", "error", "off"};
    bool ok = false;
    for (const char* l : levels) ok = ok || cfg.log_level == l;
    if (!ok) c.problem(*n, "log_level must be one of trace, debug, info, warn, error, off");
  }
  if (const toml::table* t = c.table(root, "import")) {
    c.unknown_keys(*t, {"forward_mailbox"}, "import");
    c.get(*t, "forward_mailbox", cfg.forward_mailbox, "import");
  }
  if (const toml::table* t = c.table(root, "cache")) {
    c.unknown_keys(*t, {"max_age_hours"}, "cache");
    c.get(*t, "max_age_hours", cfg.cache_max_age_hours, "cache");
  }
  if (const toml::table* t = c.table(root, "run")) {
    c.unknown_keys(*t, {"parallel_mailboxes", "max_connections_per_server"}, "run");
    c.get(*t, "parallel_mailboxes", cfg.parallel_mailboxes, "run");
    c.get(*t, "max_connections_per_server", cfg.max_connections_per_server, "run");
    // 0 would read nothing; beyond 256 connections is a mistake, not a setting.
    if (const toml::node* n = t->get("parallel_mailboxes");
        n && (cfg.parallel_mailboxes < 1 || cfg.parallel_mailboxes > 256))
      c.problem(*n, "run.parallel_mailboxes must be between 1 and 256 (1: one mailbox at a time)");
    if (const toml::node* n = t->get("max_connections_per_server");
        n && (cfg.max_connections_per_server < 1 || cfg.max_connections_per_server > 256))
      c.problem(*n, "run.max_connections_per_server must be between 1 and 256");
  }
  if (const toml::table* t = c.table(root, "routing")) read_routing(c, *t, cfg.policy);
  if (const toml::table* t = c.table(root, "limits")) read_limits(c, *t, cfg.limits);
  read_mailbox_config(c, root, cfg.mailboxes);
  read_crm_config(c, root, cfg.crm);

  if (!c.problems().empty()) {
    std::string msg;
    for (const auto& p : c.problems()) msg += (msg.empty() ? "" : "\n") + p;
    return fail(Code::ConfigInvalid, msg, "see crm-router.conf(5) for the keys and their types");
  }
  resolve_paths(cfg);
  return cfg;
}

}  // namespace crmr
