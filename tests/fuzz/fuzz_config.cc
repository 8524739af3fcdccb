// fuzz_config: the input is a configuration file (TOML) for load_config().
#include "cli/config/config.h"
#include "fuzz_targets.h"
#include "fuzz_temp_file.h"

namespace crmr::fuzz {

void run_config(std::string_view data) {
  (void)load_config(write_temp_file(data, ".toml"), true);
}

}  // namespace crmr::fuzz
