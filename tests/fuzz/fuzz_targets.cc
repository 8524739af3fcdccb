// The table of fuzz targets (see fuzz_targets.h).
#include "fuzz_targets.h"

namespace crmr::fuzz {

const std::vector<Target>& targets() {
  static const std::vector<Target> all = {
      {"mime", run_mime},         {"mbox", run_mbox},
      {"encoded_words", run_encoded_words},
      {"tracking_token", run_tracking_token},
      {"config", run_config},     {"cache_import", run_cache_import},
      {"imap", run_imap},         {"pop3", run_pop3},
      {"webapi", run_webapi},
  };
  return all;
}

}  // namespace crmr::fuzz
