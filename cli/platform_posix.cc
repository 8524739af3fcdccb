#include <unistd.h>

#include <cstdlib>

#include "cli/platform.h"

namespace crmr::platform {

bool is_terminal(std::FILE* stream) { return isatty(fileno(stream)) == 1; }

std::string getenv_str(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::string(v) : std::string();
}

namespace {
std::string home_based(const char* xdg_var, const char* fallback_suffix) {
  std::string base = getenv_str(xdg_var);
  if (base.empty()) {
    std::string home = getenv_str("HOME");
    base = (home.empty() ? std::string(".") : home) + fallback_suffix;
  }
  return base + "/crm-router";
}
}  // namespace

std::string default_db_path() {
  if (geteuid() == 0) return "/var/lib/crm-router/state.db";
  return home_based("XDG_STATE_HOME", "/.local/state") + "/state.db";
}

std::string default_config_path() {
  if (geteuid() == 0) return "/etc/crm-router/crm-router.toml";
  return home_based("XDG_CONFIG_HOME", "/.config") + "/crm-router.toml";
}

}  // namespace crmr::platform
