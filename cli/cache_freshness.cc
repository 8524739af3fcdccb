#include "cli/cache_freshness.h"

#include <algorithm>
#include <chrono>

#include "cli/dates.h"

namespace crmr {

Result<CacheFreshness> cache_freshness(const Store& store) {
  CacheFreshness f;
  auto last = store.state_get(kLastSyncKey);
  if (!last) return std::unexpected(last.error());
  if (*last) {
    f.last_sync = **last;
    if (auto t = parse_cli_date(f.last_sync)) {
      using namespace std::chrono;
      const std::int64_t now = floor<seconds>(system_clock::now()).time_since_epoch().count();
      f.age_s = std::max<std::int64_t>(0, now - *t);
    }
  }
  auto err = store.state_get(kLastSyncErrorKey);
  if (!err) return std::unexpected(err.error());
  if (*err) {
    auto tab = (*err)->find('\t');
    f.failed_at = (*err)->substr(0, tab);
    f.error = tab == std::string::npos ? std::string() : (*err)->substr(tab + 1);
  }
  return f;
}

std::string age_text(std::int64_t s) {
  if (s < 60) return std::to_string(s) + " s";
  if (s < 3600) return std::to_string(s / 60) + " min";
  if (s < 86400) return std::to_string(s / 3600) + " h " + std::to_string(s % 3600 / 60) + " min";
  return std::to_string(s / 86400) + " d " + std::to_string(s % 86400 / 3600) + " h";
}

std::string freshness_text(const CacheFreshness& f) {
  std::string out = f.last_sync.empty()
                        ? std::string("never synced from the CRM")
                        : "last synced " + f.last_sync +
                              (f.age_s ? " (" + age_text(*f.age_s) + " ago)" : std::string());
  if (!f.failed_at.empty()) out += "; the last sync failed at " + f.failed_at + ": " + f.error;
  return out;
}

}  // namespace crmr
