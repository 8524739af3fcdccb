#include "cli/config.h"

#include <filesystem>
#include <sstream>
#include <toml++/toml.h>

namespace crmr {
namespace {

// Collects "file:line: problem" lines while walking the document.
class Checker {
 public:
  explicit Checker(std::string file) : file_(std::move(file)) {}

  void problem(const toml::node& at, const std::string& what) {
    std::ostringstream os;
    os << file_ << ':' << at.source().begin.line << ": " << what;
    problems_.push_back(os.str());
  }
  void problem_top(const std::string& what) { problems_.push_back(file_ + ": " + what); }

  const std::vector<std::string>& problems() const { return problems_; }

  template <class T>
  void get(const toml::table& t, const char* key, T& into, const std::string& section) {
    const toml::node* n = t.get(key);
    if (!n) return;
    if constexpr (std::is_same_v<T, bool>) {
      if (auto v = n->value<bool>()) into = *v;
      else problem(*n, qualify(section, key) + " must be true or false");
    } else if constexpr (std::is_same_v<T, std::string>) {
      if (auto v = n->value<std::string>()) into = *v;
      else problem(*n, qualify(section, key) + " must be a string");
    } else {
      auto v = n->value<std::int64_t>();
      if (v && *v >= 0) into = static_cast<T>(*v);
      else problem(*n, qualify(section, key) + " must be a whole number >= 0");
    }
  }

  void unknown_keys(const toml::table& t, std::initializer_list<const char*> known,
                    const std::string& section) {
    for (auto&& [k, v] : t) {
      bool ok = false;
      for (const char* name : known) ok = ok || k.str() == name;
      if (!ok) problem(v, "unknown key " + qualify(section, std::string(k.str())));
    }
  }

  static std::string qualify(const std::string& section, const std::string& key) {
    return section.empty() ? key : section + "." + key;
  }

 private:
  std::string file_;
  std::vector<std::string> problems_;
};

const toml::table* section(Checker& c, const toml::table& root, const char* name) {
  const toml::node* n = root.get(name);
  if (!n) return nullptr;
  if (!n->is_table()) {
    c.problem(*n, std::string("[") + name + "] must be a table");
    return nullptr;
  }
  return n->as_table();
}

void read_routing(Checker& c, const toml::table& t, Policy& p) {
  const std::string s = "routing";
  c.unknown_keys(t,
                 {"correlate_in_reply_to", "correlate_tracking_token",
                  "correlate_conversation_index", "smart_matching", "reject_auto_replies",
                  "reject_delivery_reports", "max_received_headers"},
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
}

void read_limits(Checker& c, const toml::table& t, ParseLimits& l) {
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

}  // namespace

Result<Config> load_config(const std::string& path, bool required) {
  Config cfg;
  std::error_code ec;
  if (path.empty() || !std::filesystem::exists(path, ec)) {
    if (required)
      return fail("config.missing", "configuration file " + path + " does not exist",
                  Scope::Run, Retry::Never, "check --config or create the file");
    return cfg;
  }
  cfg.path = path;
  toml::table root;
  try {
    root = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    std::ostringstream os;
    os << path << ':' << e.source().begin.line << ": " << e.description();
    return fail("config.invalid", os.str(), Scope::Run, Retry::Never,
                "see crm-router.conf(5) for the syntax");
  }
  Checker c(path);
  c.unknown_keys(root,
                 {"db", "report", "log_file", "log_level", "progress", "import", "routing",
                  "limits"},
                 "");
  c.get(root, "db", cfg.db, "");
  c.get(root, "report", cfg.report, "");
  c.get(root, "log_file", cfg.log_file, "");
  c.get(root, "log_level", cfg.log_level, "");
  c.get(root, "progress", cfg.progress, "");
  if (const toml::node* n = root.get("log_level")) {
    static const char* levels[] = {"trace", "debug", "info", "warn", "error", "off"};
    bool ok = false;
    for (const char* l : levels) ok = ok || cfg.log_level == l;
    if (!ok) c.problem(*n, "log_level must be one of trace, debug, info, warn, error, off");
  }
  if (const toml::table* t = section(c, root, "import")) {
    c.unknown_keys(*t, {"forward_mailbox"}, "import");
    c.get(*t, "forward_mailbox", cfg.forward_mailbox, "import");
  }
  if (const toml::table* t = section(c, root, "routing")) read_routing(c, *t, cfg.policy);
  if (const toml::table* t = section(c, root, "limits")) read_limits(c, *t, cfg.limits);

  if (!c.problems().empty()) {
    std::string msg;
    for (const auto& p : c.problems()) msg += (msg.empty() ? "" : "\n") + p;
    return fail("config.invalid", msg, Scope::Run, Retry::Never,
                "see crm-router.conf(5) for the keys and their types");
  }
  return cfg;
}

}  // namespace crmr
