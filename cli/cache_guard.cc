#include "cli/cache_guard.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <vector>

#include "cli/dates.h"
#include "cli/exit_codes.h"
#include "cli/run_summary.h"

namespace crmr {
namespace {

constexpr char kFillHint[] =
    "fill the cache first: `crm-router sync` (from the CRM) or `crm-router cache import FILE`";

std::int64_t of(const std::map<std::string, std::int64_t>& m, const char* key) {
  auto it = m.find(key);
  return it == m.end() ? 0 : it->second;
}

// Why the cache cannot decide, in one clause ("" when it can).
std::string why_not(const Context& ctx, const CacheInfo& info) {
  if (!info.database_exists) return "the database " + ctx.db_path + " does not exist";
  std::vector<std::string> missing;
  if (!info.has_org) missing.push_back("no organisation settings");
  if (of(info.active, "systemuser") + of(info.active, "queue") == 0) {
    std::int64_t inactive = of(info.count, "systemuser") + of(info.count, "queue");
    missing.push_back("no active system user or queue" +
                      (inactive > 0 ? " (" + std::to_string(inactive) + " inactive)" : std::string()));
  }
  if (missing.empty()) return {};
  std::string text = "the cache in " + ctx.db_path + " has " + missing[0];
  if (missing.size() > 1) text += " and " + missing[1];
  return text;
}

// Seconds since `iso` (ISO 8601 UTC); nullopt when it cannot be read.
std::optional<std::int64_t> age_of(const std::string& iso) {
  auto when = parse_cli_date(iso);
  if (!when) return std::nullopt;
  auto now = std::chrono::duration_cast<std::chrono::seconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  return std::max<std::int64_t>(0, now - *when);
}

std::string human_age(std::int64_t seconds) {
  auto unit = [](std::int64_t n, const char* one) {
    return std::to_string(n) + " " + one + (n == 1 ? "" : "s");
  };
  if (seconds < 3600) return unit(seconds / 60, "minute");
  if (seconds < 2 * 86400) return unit(seconds / 3600, "hour");
  return unit(seconds / 86400, "day");
}

std::string when_text(const std::string& iso) {
  if (iso.empty()) return "never";
  auto age = age_of(iso);
  return age ? iso + " (" + human_age(*age) + " ago)" : iso;
}

// The warning for a cache older than the configured age; empty otherwise
// (also when 0 turns the warning off, or no refresh time is known).
std::string age_warning(const Context& ctx, const CacheInfo& info) {
  const std::uint32_t hours = ctx.cfg.cache_max_age_hours;
  if (hours == 0) return {};
  const std::string at = info.refreshed_at();
  if (at.empty()) return {};  // filled before its refresh times were kept: age unknown
  auto age = age_of(at);
  if (!age || *age <= static_cast<std::int64_t>(hours) * 3600) return {};
  return "the cache in " + ctx.db_path + " was last refreshed " + human_age(*age) + " ago (" + at +
         "), more than [cache] max_age_hours = " + std::to_string(hours) +
         ": decisions may miss new records; run `crm-router sync`";
}

}  // namespace

std::expected<std::string, int> guard_routing(Context& ctx, Store& store,
                                              std::string_view command) {
  auto info = store.cache_info(CacheCounts::Routing);
  if (!info) return std::unexpected(ctx.fail_with(info.error()));
  const std::string why = why_not(ctx, *info);
  if (!why.empty()) {
    const std::string line = std::string(command) + (ctx.dry_run ? " --dry-run" : "") +
                             ": refused: the cache cannot decide: " + why;
    ctx.out.error(line);  // also in the log file or syslog, once
    ctx.out.error(std::string("nothing was routed: no message was read, recorded or disposed of") +
                  (ctx.dry_run ? " (against this cache a dry run would only show every message "
                                 "tossed, which tests no rule)"
                               : ""));
    ctx.out.error(kFillHint);
    if (!ctx.dry_run) {
      // Nothing in the ledger; the history lists the run as failed and why,
      // for `report --list` and `status` (a monitoring check goes critical).
      RunRecorder rec(ctx, store, std::string(command));
      if (rec.begin()) {
        rec.set_failure("refused: the cache cannot decide: " + why);
        rec.abort();
      }
    }
    return std::unexpected(kExitCacheNotReady);
  }
  std::string warning = age_warning(ctx, *info);
  if (!warning.empty()) spdlog::warn("{}", warning);
  return warning;
}

int check_cache(Context& ctx, const Store& store) {
  auto info = store.cache_info();
  if (!info) return ctx.fail_with(info.error());
  ctx.out.info("cache " + ctx.db_path + ":");
  if (!info->database_exists) {
    ctx.out.error("the database " + ctx.db_path +
                  " does not exist: the cache is empty, and run and import would refuse to "
                  "route; " + kFillHint);
    return kExitCacheNotReady;
  }
  ctx.out.info(std::string("  organisation settings: ") + (info->has_org ? "stored" : "none"));
  for (const char* e : {"systemuser", "queue", "contact", "account", "lead"})
    ctx.out.info("  " + std::string(e) + ": " + std::to_string(of(info->count, e)) + " (" +
                 std::to_string(of(info->active, e)) + " active)");
  ctx.out.info("  email: " + std::to_string(of(info->count, "email")) + " tracked");
  ctx.out.info("  last sync: " + when_text(info->synced_at) +
               "; last cache import: " + when_text(info->imported_at));
  const std::string why = why_not(ctx, *info);
  if (!why.empty()) {
    ctx.out.error("the cache cannot decide: " + why + "; run and import would refuse to route; " +
                  kFillHint);
    return kExitCacheNotReady;
  }
  if (std::string w = age_warning(ctx, *info); !w.empty()) ctx.out.warn(w);
  return kExitOk;
}

}  // namespace crmr
