#include "cli/crm_config.h"

#include "cli/config_checker.h"

namespace crmr {

void read_crm_config(ConfigChecker& c, const toml::table& root, CrmConfig& out) {
  const toml::node* n = root.get("crm");
  if (!n) return;
  c.problem(*n, "[crm] is read by the push command, which this build does not have");
  out = CrmConfig{};
}

}  // namespace crmr
