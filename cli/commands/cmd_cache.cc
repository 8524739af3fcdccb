// `cache import FILE`, `cache stats` and `cache prune`.
#include <CLI/CLI.hpp>

#include <chrono>
#include <ostream>
#include <memory>

#include "cli/commands/command_set.h"
#include "cli/commands/commands.h"
#include "cli/exit_codes.h"
#include "cli/lock.h"
#include "core/report/report.h"
#include "storage/cache_import.h"

namespace crmr {

int cmd_cache_import(Context& ctx, const CacheImportOptions& o) {
  if (ctx.dry_run) {
    ctx.out.error("cache import writes the cache: it cannot be combined with --dry-run");
    return kExitUsage;
  }
  auto store = ctx.open_store();
  if (!store) return ctx.fail_with(store.error());
  CacheFileFormat fmt = o.format == "jsonl" ? CacheFileFormat::JsonLines
                        : o.format == "csv" ? CacheFileFormat::Csv
                                            : CacheFileFormat::Auto;
  auto r = import_cache_file(**store, o.file, fmt, o.entity, o.batch);
  if (!r) return ctx.fail_with(r.error());
  if (!r->imported.empty()) {
    if (auto st = (*store)->note_cache_refresh(CacheRefresh::Import); !st)
      return ctx.fail_with(st.error());
  }
  std::string line;
  std::int64_t total = 0;
  for (const auto& [entity, n] : r->imported) {
    line += (line.empty() ? "" : ", ") + std::to_string(n) + " " + entity;
    total += n;
  }
  ctx.out.info("imported " + std::to_string(total) + " records" +
               (line.empty() ? "" : " (" + line + ")") + " from " + o.file);
  for (const auto& e : r->errors) ctx.out.error(e);
  if (r->bad_lines > 0) {
    const auto listed = static_cast<std::int64_t>(r->errors.size());
    ctx.out.error(std::to_string(r->bad_lines) + " bad lines skipped" +
                  (listed < r->bad_lines ? " (the first " + std::to_string(listed) + " listed)" : ""));
    return kExitPartial;
  }
  return kExitOk;
}

int cmd_cache_stats(Context& ctx) {
  ctx.dry_run = true;  // reading only
  auto store = ctx.open_existing_store();
  if (!store) return ctx.fail_with(store.error());
  auto stats = (*store)->cache_stats();
  if (!stats) return ctx.fail_with(stats.error());
  std::ostream& os = ctx.out.out();
  os << "database: " << ctx.db_path << '\n';
  for (const auto& [k, v] : *stats) os << "  " << k << ": " << v << '\n';
  return kExitOk;
}

int cmd_cache_prune(Context& ctx, const CachePruneOptions& o) {
  using namespace std::chrono;
  const std::int64_t now = floor<seconds>(system_clock::now()).time_since_epoch().count();
  const std::int64_t days = o.days > 0 ? o.days : ctx.cfg.crm.tracked_days;
  if (days == 0) {
    ctx.out.info("no look-back window ([crm] tracked_days = 0): nothing removed");
    return kExitOk;
  }
  const std::string before = iso_utc(now - days * 86400);
  auto lock = lock_database(ctx);
  if (!lock) return lock.error();
  auto store = ctx.dry_run ? ctx.open_existing_store() : ctx.open_store();
  if (!store) return ctx.fail_with(store.error());
  auto n = ctx.dry_run ? (*store)->count_prunable(before) : (*store)->prune_tracked(before);
  if (!n) return ctx.fail_with(n.error());
  ctx.out.info((ctx.dry_run ? "would remove " : "removed ") + std::to_string(*n) +
               " tracked e-mails last modified before " + before + " (" + std::to_string(days) +
               " days)");
  return kExitOk;
}

// --- its command line ---

void add_cache_commands(CLI::App& app, CommandSet& set) {
  auto* group = app.add_subcommand("cache", "The local cache of CRM records");
  group->require_subcommand(1);

  auto ci = std::make_shared<CacheImportOptions>();
  auto* imp = set.add(*group, "import", "Load records from JSON Lines or CSV",
                      [ci](Context& ctx) { return cmd_cache_import(ctx, *ci); });
  imp->add_option("file", ci->file, "JSON Lines or CSV file")->required();
  imp->add_option("--entity", ci->entity, "Entity of every CSV row (contact, account, ...)")
      ->check(CLI::IsMember({"organization", "systemuser", "queue", "contact", "account", "lead", "email"}));
  imp->add_option("--format", ci->format, "auto, jsonl or csv")
      ->check(CLI::IsMember({"auto", "jsonl", "csv"}));
  imp->add_option("--batch", ci->batch, "Rows per transaction (default 50000); a crash keeps the committed ones")
      ->check(CLI::PositiveNumber);

  set.add(*group, "stats", "Count what the cache holds", [](Context& ctx) { return cmd_cache_stats(ctx); });

  auto cp = std::make_shared<CachePruneOptions>();
  auto* prune = set.add(*group, "prune",
                        "Remove tracked e-mails older than the look-back window and reclaim the space",
                        [cp](Context& ctx) { return cmd_cache_prune(ctx, *cp); });
  prune->add_option("--days", cp->days, "Look-back window in days (default: [crm] tracked_days, 365)")
      ->check(CLI::PositiveNumber);
}

}  // namespace crmr
