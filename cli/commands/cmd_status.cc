// `status`: the state of crm-router for monitoring, read-only. Per configured
// mailbox the last run that read it, its status and error; the last run of any
// command; the outbox backlog; the quarantine; the cache's age (the last sync
// that succeeded). One overall level with a Nagios-style exit code:
//   0 OK, 1 WARNING, 2 CRITICAL.
// Critical: a mailbox's last run failed, the last run failed, the database
// cannot be read, the cache is older than --cache-critical-hours, or [crm] is
// configured and the cache was never synced. Warning: a run was partial,
// messages are in quarantine, the outbox holds messages while [crm] is
// configured, a mailbox never ran, the last sync failed, or the cache is older
// than --cache-warning-hours.
#include <CLI/CLI.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <ostream>
#include <memory>

#include "cli/commands/command_set.h"
#include "cli/cache_freshness.h"
#include "cli/commands/commands.h"
#include "cli/exit_codes.h"

namespace crmr {
namespace {

// A string field of a stored run report, "" when it is absent, null or not a string.
std::string text_of(const nlohmann::json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

constexpr int kStatusOk = 0;
constexpr int kStatusWarning = 1;
constexpr int kStatusCritical = 2;
constexpr std::size_t kRunsLooked = 200;  // how far back a mailbox's last run is looked for

const char* level_name(int level) {
  return level == kStatusCritical ? "CRITICAL" : level == kStatusWarning ? "WARNING" : "OK";
}

struct Finding {
  int level;
  std::string text;
};

struct MailboxLast {
  std::string name;
  std::int64_t run = 0;  // 0: never read
  std::string started;
  std::string status;
  std::string error;
  std::uint64_t messages = 0;
};

}  // namespace

int cmd_status(Context& ctx, const StatusOptions& o) {
  ctx.dry_run = true;  // reading only
  std::vector<Finding> findings;
  auto fail_json = [&](const std::string& why) {
    if (o.json)
      ctx.out.out() << nlohmann::json{{"status", "critical"}, {"exit", kStatusCritical}, {"problems", {why}}}.dump(2)
                    << '\n';
    else
      ctx.out.out() << "CRITICAL: " << why << '\n';
    return kStatusCritical;
  };
  auto store = ctx.open_store();
  if (!store) return fail_json(store.error().describe());
  auto runs = (*store)->list_runs(kRunsLooked);
  if (!runs) return fail_json(runs.error().describe());
  auto stats = (*store)->cache_stats();
  if (!stats) return fail_json(stats.error().describe());
  auto fresh = cache_freshness(**store);
  if (!fresh) return fail_json(fresh.error().describe());

  // Each configured mailbox: the newest run whose report lists it (not skipped).
  std::vector<MailboxLast> boxes;
  for (const auto& m : ctx.cfg.mailboxes) {
    MailboxLast b;
    b.name = m.name;
    boxes.push_back(std::move(b));
  }
  for (const RunRecord& r : *runs) {
    if (r.report_json.empty()) continue;
    auto j = nlohmann::json::parse(r.report_json, nullptr, false);
    if (!j.is_object() || !j.contains("mailboxes") || !j["mailboxes"].is_array()) continue;
    for (const auto& m : j["mailboxes"]) {
      if (!m.is_object() || text_of(m, "status") == "skipped") continue;
      for (auto& b : boxes) {
        if (b.run != 0 || b.name != text_of(m, "name")) continue;
        b.run = r.id;
        b.started = r.started;
        b.status = text_of(m, "status");
        b.error = text_of(m, "error");  // null when the mailbox was read without error
        const auto n = m.find("messages");
        b.messages = n != m.end() && n->is_number_unsigned() ? n->get<std::uint64_t>() : 0;
      }
    }
  }
  for (const auto& b : boxes) {
    if (b.run == 0) findings.push_back({kStatusWarning, "mailbox " + b.name + " has never been read"});
    else if (b.status == "failed")
      findings.push_back({kStatusCritical, "mailbox " + b.name + " failed in run " + std::to_string(b.run) +
                                               ": " + b.error});
  }
  const RunRecord* last = runs->empty() ? nullptr : &runs->front();
  if (last && last->status == "failed")
    findings.push_back({kStatusCritical, "the last run (" + std::to_string(last->id) + ", " + last->command +
                                             ") failed: " + last->error});
  else if (last && last->status == "partial")
    findings.push_back({kStatusWarning, "the last run (" + std::to_string(last->id) + ", " + last->command +
                                            ") was partial: " + last->error});
  const std::int64_t outbox = (*stats)["outbox_pending"];
  const std::int64_t quarantine = (*stats)["quarantine"];
  if (quarantine > 0)
    findings.push_back({kStatusWarning, std::to_string(quarantine) + " message(s) in quarantine "
                                        "(crm-router quarantine list)"});
  if (outbox > 0 && ctx.cfg.crm.configured())
    findings.push_back({kStatusWarning, std::to_string(outbox) + " message(s) wait in the outbox "
                                        "(crm-router push)"});
  if (fresh->last_sync.empty()) {
    if (ctx.cfg.crm.configured())
      findings.push_back({kStatusCritical, "the cache was never synced from the CRM (crm-router sync)"});
  } else if (fresh->age_s) {
    const std::int64_t hours = *fresh->age_s / 3600;
    // One staleness setting for check, run and status unless given here.
    const std::int64_t warn_hours = o.cache_warning_hours >= 0 ? o.cache_warning_hours
                                                                : ctx.cfg.cache_max_age_hours;
    if (hours >= o.cache_critical_hours)
      findings.push_back({kStatusCritical, "the cache is " + age_text(*fresh->age_s) + " old"});
    else if (warn_hours > 0 && hours >= warn_hours)
      findings.push_back({kStatusWarning, "the cache is " + age_text(*fresh->age_s) + " old"});
  }
  if (!fresh->failed_at.empty())
    findings.push_back({kStatusWarning, "the last sync failed at " + fresh->failed_at + ": " + fresh->error});

  int level = kStatusOk;
  for (const auto& f : findings) level = std::max(level, f.level);
  std::ostream& os = ctx.out.out();
  if (o.json) {
    nlohmann::json j;
    j["status"] = level == kStatusCritical ? "critical" : level == kStatusWarning ? "warning" : "ok";
    j["exit"] = level;
    j["mailboxes"] = nlohmann::json::array();
    for (const auto& b : boxes)
      j["mailboxes"].push_back({{"name", b.name},
                                {"last_run", b.run ? nlohmann::json(b.run) : nlohmann::json(nullptr)},
                                {"started", b.started},
                                {"status", b.run ? b.status : "never"},
                                {"error", b.error},
                                {"messages", b.messages}});
    j["last_run"] = last ? nlohmann::json{{"id", last->id}, {"command", last->command},
                                          {"status", last->status}, {"started", last->started},
                                          {"finished", last->finished}, {"error", last->error}}
                         : nlohmann::json(nullptr);
    j["outbox"] = outbox;
    j["quarantine"] = quarantine;
    j["cache"] = {{"last_sync", fresh->last_sync.empty() ? nlohmann::json(nullptr) : nlohmann::json(fresh->last_sync)},
                  {"age_s", fresh->age_s ? nlohmann::json(*fresh->age_s) : nlohmann::json(nullptr)},
                  {"last_failure", fresh->failed_at.empty() ? nlohmann::json(nullptr)
                                                            : nlohmann::json{{"at", fresh->failed_at},
                                                                             {"error", fresh->error}}}};
    j["problems"] = nlohmann::json::array();
    for (const auto& f : findings) j["problems"].push_back(f.text);
    os << j.dump(2) << '\n';
    return level;
  }
  os << level_name(level);
  if (!findings.empty()) {
    os << ": ";
    for (std::size_t i = 0; i < findings.size(); ++i) os << (i ? "; " : "") << findings[i].text;
  }
  os << '\n';
  for (const auto& b : boxes) {
    os << "mailbox " << b.name << ": ";
    if (b.run == 0) os << "never read\n";
    else
      os << "last run " << b.run << " at " << b.started << ": " << b.status << ", " << b.messages
         << " messages" << (b.error.empty() ? "" : "; error: " + b.error) << '\n';
  }
  if (last)
    os << "last run: " << last->id << " (" << last->command << ") at " << last->started << ": "
       << (last->status.empty() ? "-" : last->status) << (last->error.empty() ? "" : "; error: " + last->error)
       << '\n';
  else
    os << "last run: none\n";
  os << "outbox: " << outbox << " queued\n";
  os << "quarantine: " << quarantine << " message(s)\n";
  os << "cache: " << freshness_text(*fresh) << '\n';
  return level;
}

// --- its command line ---

void add_status_command(CLI::App& app, CommandSet& set) {
  auto o = std::make_shared<StatusOptions>();
  auto* c = set.add(app, "status", "For monitoring: last runs, outbox, quarantine, cache age; exit 0 ok, 1 warning, 2 critical",
                    [o](Context& ctx) { return cmd_status(ctx, *o); });
  c->add_flag("--json", o->json, "One JSON document, for machines");
  c->add_option("--cache-warning-hours", o->cache_warning_hours,
                "Warn when the last successful sync is this old (default: [cache] max_age_hours, 24)")
      ->check(CLI::PositiveNumber);
  c->add_option("--cache-critical-hours", o->cache_critical_hours,
                "Critical when the last successful sync is this old (default 72)")
      ->check(CLI::PositiveNumber);
}

}  // namespace crmr
