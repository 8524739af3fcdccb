// Platform: the only place with operating-system specific calls (terminal
// detection, default paths). platform_posix.cc implements it for Linux/Unix;
// a Windows port adds platform_windows.cc.
#pragma once

#include <cstdio>
#include <string>

namespace crmr::platform {

// True when the stream is an interactive terminal.
bool is_terminal(std::FILE* stream);

// Default state database: /var/lib/crm-router/state.db for root, else
// $XDG_STATE_HOME/crm-router/state.db (~/.local/state/...).
std::string default_db_path();

// Default configuration file: /etc/crm-router/crm-router.toml for root, else
// $XDG_CONFIG_HOME/crm-router/crm-router.toml (~/.config/...).
std::string default_config_path();

// Value of an environment variable, empty when unset.
std::string getenv_str(const char* name);

}  // namespace crmr::platform
