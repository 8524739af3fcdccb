// `quarantine list|export|retry`: the messages kept whole in the database
// because they failed for good, either when parsed (ParseError: the ledger
// says "quarantined") or when pushed (the CRM refused them: the ledger says
// "failed" and their failed outbox row keeps the decision).
//
// list and export only read the database. retry is a run like import: every
// item goes through the Pipeline again against the current cache, and its
// quarantine row is removed in the same transaction that records the new
// outcome, so a kill at any point leaves the message either still in
// quarantine or recorded anew, never neither and never both. Then, like
// import, the outbox is pushed when [crm] is configured.
#include <CLI/CLI.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <ostream>
#include <set>
#include <memory>

#include "cli/commands/command_set.h"
#include "core/base/utf8_path.h"
#include "cli/cache_guard.h"
#include "cli/commands/commands.h"
#include "cli/commands/crm_commands.h"
#include "cli/exit_codes.h"
#include "cli/lock.h"
#include "cli/quarantine_routing.h"
#include "cli/run_summary.h"
#include "cli/wiring.h"
#include "core/report/report.h"
#include "core/report/report_internal.h"

namespace crmr {
namespace {

namespace fs = std::filesystem;
using report_detail::column;
using report_detail::terminal_line;

// Where an item failed, from what the ledger holds for its key.
const char* stage_of(const QuarantineItem& q) {
  if (q.ledger_outcome == "quarantined") return "parse";
  if (q.ledger_outcome == "failed") return "push";
  return "unknown";
}

std::string where_of(const QuarantineItem& q) {
  std::string s = q.source;
  if (!q.position.empty()) s += (s.empty() ? "" : " ") + q.position;
  return s.empty() ? "(unknown source)" : s;
}

// The items `which` names, in id order. On a bad selection prints why and
// returns the exit code.
std::expected<std::vector<QuarantineItem>, int> select_items(Context& ctx, const Store& store,
                                                             const QuarantineSelection& which,
                                                             const std::string& verb) {
  if (which.ids.empty() == !which.all) {
    ctx.out.error("quarantine " + verb + ": name the items by id (see `crm-router quarantine list`)" +
                  " or give --all" + (which.all ? ", not both" : ""));
    return std::unexpected(kExitUsage);
  }
  auto all = store.quarantine_list();
  if (!all) return std::unexpected(ctx.fail_with(all.error()));
  if (which.all) return std::move(*all);
  std::set<std::int64_t> wanted(which.ids.begin(), which.ids.end());
  std::vector<QuarantineItem> out;
  for (auto& q : *all)
    if (wanted.erase(q.id)) out.push_back(std::move(q));
  if (!wanted.empty()) {
    std::string ids;
    for (auto id : wanted) ids += (ids.empty() ? "" : ", ") + std::to_string(id);
    ctx.out.error(std::string(wanted.size() == 1 ? "no quarantine item " : "no quarantine items ") +
                  ids + " (see `crm-router quarantine list`); nothing done");
    return std::unexpected(kExitUsage);
  }
  return out;
}

// Write `bytes` to a new file `path`; an existing file is never replaced.
Status write_new_file(const fs::path& path, const std::string& bytes) {
  auto failed = [&](const std::string& why) {
    return fail(Code::QuarantineExport, "cannot write " + utf8_string(path) + ": " + why);
  };
  std::FILE* f = std::fopen(utf8_string(path).c_str(), "wbx");  // x: fail if it exists
  if (!f) return failed(errno == EEXIST ? "it exists (export never overwrites)" : std::strerror(errno));
  bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
  ok = std::fclose(f) == 0 && ok;
  if (!ok) {
    std::error_code ec;
    fs::remove(path, ec);  // no half-written message left behind
    return failed("write error");
  }
  return {};
}

}  // namespace

int cmd_quarantine_list(Context& ctx, const QuarantineListOptions& o) {
  ctx.dry_run = true;  // reading only
  auto store = ctx.open_existing_store();
  if (!store) return ctx.fail_with(store.error());
  auto items = (*store)->quarantine_list();
  if (!items) return ctx.fail_with(items.error());
  std::ostream& os = ctx.out.out();
  if (o.json) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& q : *items) {
      nlohmann::json j{{"id", q.id},         {"when", q.when},
                       {"source", q.source}, {"position", q.position},
                       {"key", q.key},       {"message_id", nullptr},
                       {"stage", stage_of(q)}, {"error", q.error},
                       {"bytes", q.bytes}};
      if (!q.message_id.empty()) j["message_id"] = q.message_id;
      list.push_back(std::move(j));
    }
    nlohmann::json doc{{"count", items->size()}, {"quarantine", std::move(list)}};
    os << doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
    return kExitOk;
  }
  if (items->empty()) {
    os << "quarantine is empty\n";
    return kExitOk;
  }
  // One row per item under a header, in columns as wide as their longest
  // value (each capped): ID, WHEN, SOURCE, POSITION, MESSAGE (<Message-ID>
  // or key), ERROR.
  auto message_of = [](const QuarantineItem& q) {
    return q.message_id.empty() ? q.key : "<" + q.message_id + ">";
  };
  auto width = [&](const char* title, std::size_t cap, auto value) {
    std::size_t w = std::string_view(title).size();
    for (const auto& q : *items) w = std::max(w, terminal_line(value(q), cap).size());
    return std::min(w, cap);
  };
  const std::size_t w_id = width("ID", 12, [](const QuarantineItem& q) { return std::to_string(q.id); });
  const std::size_t w_when = width("WHEN", 25, [](const QuarantineItem& q) { return q.when; });
  auto source_of = [](const QuarantineItem& q) {
    return q.source.empty() ? std::string("(unknown)") : q.source;
  };
  const std::size_t w_src = width("SOURCE", 120, source_of);
  const std::size_t w_pos = width("POSITION", 20, [](const QuarantineItem& q) { return q.position; });
  const std::size_t w_msg = width("MESSAGE", 80, message_of);  // a key is 71 characters
  os << column("ID", w_id) << "  " << column("WHEN", w_when) << "  " << column("SOURCE", w_src)
     << "  " << column("POSITION", w_pos) << "  " << column("MESSAGE", w_msg) << "  ERROR\n";
  for (const auto& q : *items) {
    os << column(std::to_string(q.id), w_id) << "  " << column(q.when, w_when) << "  "
       << column(source_of(q), w_src) << "  "
       << column(q.position, w_pos) << "  " << column(message_of(q), w_msg) << "  "
       << terminal_line(q.error, 400) << '\n';
  }
  ctx.out.info(std::to_string(items->size()) + " message(s) in quarantine");
  return kExitOk;
}

int cmd_quarantine_export(Context& ctx, const QuarantineExportOptions& o) {
  const bool dry_run = ctx.dry_run;
  ctx.dry_run = true;  // the database is only read
  auto store = ctx.open_existing_store();
  if (!store) return ctx.fail_with(store.error());
  auto items = select_items(ctx, **store, o.which, "export");
  if (!items) return items.error();
  if (items->empty()) {
    ctx.out.info("quarantine is empty: nothing to export");
    return kExitOk;
  }

  const fs::path dir = utf8_path(o.to);
  std::error_code ec;
  if (fs::exists(dir, ec) && !fs::is_directory(dir, ec)) {
    ctx.out.error("--to " + o.to + " is not a folder");
    return kExitUsage;
  }
  // File names come from the numeric id only, never from the message.
  std::vector<fs::path> targets;
  std::string taken;
  for (const auto& q : *items) {
    targets.push_back(dir / (std::to_string(q.id) + ".eml"));
    if (fs::exists(targets.back(), ec)) taken += (taken.empty() ? "" : ", ") + utf8_string(targets.back());
  }
  if (!taken.empty()) {
    ctx.out.error("will not overwrite " + taken +
                  " (remove it or export to another folder); nothing written");
    return kExitUsage;
  }
  if (!dry_run && !fs::is_directory(dir, ec)) {
    fs::create_directories(dir, ec);
    if (ec) {
      ctx.out.error("cannot create the folder " + o.to + ": " + ec.message());
      return kExitUsage;
    }
  }
  for (std::size_t i = 0; i < items->size(); ++i) {
    const auto& q = (*items)[i];
    auto raw = (*store)->quarantine_raw(q.id);
    if (!raw) return ctx.fail_with(raw.error());
    const std::string size = " (" + std::to_string(raw->size()) + " bytes)";
    if (dry_run) {
      ctx.out.info("would write " + utf8_string(targets[i]) + size);
      continue;
    }
    if (auto st = write_new_file(targets[i], *raw); !st) {
      ctx.out.error(st.error().describe());
      return i == 0 ? kExitUsage : kExitPartial;
    }
    ctx.out.info("wrote " + utf8_string(targets[i]) + size);
  }
  ctx.out.info((dry_run ? "dry run: would export " : "exported ") + std::to_string(items->size()) +
               " message(s) to " + o.to);
  return kExitOk;
}

int cmd_quarantine_retry(Context& ctx, const QuarantineRetryOptions& o) {
  auto lock = lock_database(ctx);
  if (!lock) return lock.error();
  auto opened = ctx.open_store();
  if (!opened) return ctx.fail_with(opened.error());
  Store& store = **opened;
  auto items = select_items(ctx, store, o.which, "retry");
  if (!items) return items.error();
  if (items->empty()) {
    ctx.out.info("quarantine is empty: nothing to retry");
    return kExitOk;
  }
  auto guard = guard_routing(ctx, store, "quarantine retry");
  if (!guard) return guard.error();
  // Every row of a key goes with its first retried item (one message, one
  // row: a message that fails again is quarantined once, anew).
  auto all = store.quarantine_list();
  if (!all) return ctx.fail_with(all.error());
  std::map<std::string, std::vector<std::int64_t>> rows_of_key;
  for (const auto& q : *all) rows_of_key[q.key].push_back(q.id);

  PipelineOptions base;
  base.dry_run = ctx.dry_run;
  base.limits = ctx.cfg.limits;
  base.policy = ctx.cfg.policy;

  RunRecorder rec(ctx, store, "quarantine retry");
  if (!guard->empty()) rec.add_warning(*guard);
  if (auto s = rec.begin(); !s) return ctx.fail_with(s.error());
  const QuarantineItem* current = nullptr;
  EntrySink record = rec.sink();
  auto pipeline = std::make_unique<Pipeline>(store, base, rec.run_id(), [&](ReportEntry&& e) {
    std::string line = "quarantine item " + std::to_string(current->id) + " (" +
                       terminal_line(where_of(*current), 200) + "): " +
                       (ctx.dry_run ? "would be " : "") + e.outcome + " (" + e.reason + ")";
    if (!e.error.empty()) line += ": " + terminal_line(e.error, 400);
    ctx.out.info(line);
    record(std::move(e));
  }, pipeline_services());

  // One item: its rows removed and its new outcome recorded in one transaction.
  auto retry_one = [&](const QuarantineItem& q) -> Status {
    auto raw = store.quarantine_raw(q.id);
    if (!raw) return std::unexpected(raw.error());
    pipeline->set_options(quarantine_routing(ctx, base, q, o.forward_mailbox));
    RawMessage msg{q.source.empty() ? "quarantine" : q.source,
                   q.source.empty() ? std::to_string(q.id) : q.position, std::move(*raw), {}};
    if (ctx.dry_run) {
      pipeline->forget_key(q.key);
      auto r = pipeline->process(std::move(msg));
      return r ? Status{} : std::unexpected(r.error());
    }
    if (auto s = store.begin(); !s) return s;
    for (auto id : rows_of_key[q.key])
      if (auto s = store.quarantine_remove(id); !s) return s;
    auto r = pipeline->process(std::move(msg));
    if (!r) return std::unexpected(r.error());
    if (auto s = pipeline->flush(); !s) return s;
    return store.commit();
  };

  std::set<std::string> done_keys;
  for (const auto& q : *items) {
    if (!done_keys.insert(q.key).second) continue;  // retried with an earlier row of its key
    current = &q;
    if (auto st = retry_one(q); !st) {
      pipeline.reset();  // rolls back the pipeline's open batch, if any
      store.rollback();  // and the item's transaction: the item stays quarantined
      rec.abort();
      return ctx.fail_with(st.error());
    }
  }
  int rc = finish_batch(ctx, store, o.no_push, rec, *pipeline);
  if (ctx.dry_run) ctx.out.info("dry run: nothing changed, nothing sent");
  return rc;
}

// --- its command line ---

void add_quarantine_commands(CLI::App& app, CommandSet& set) {
  auto* group = app.add_subcommand("quarantine", "See, retry or export messages that failed for good");
  group->require_subcommand(1);

  auto ql = std::make_shared<QuarantineListOptions>();
  auto* list = set.add(*group, "list", "One line per quarantined message: id, when, where from, Message-ID, error",
                       [ql](Context& ctx) { return cmd_quarantine_list(ctx, *ql); });
  list->add_flag("--json", ql->json, "One JSON document, for machines");

  auto qe = std::make_shared<QuarantineExportOptions>();
  auto* exp = set.add(*group, "export", "Write messages as they were received to DIR/<id>.eml",
                      [qe](Context& ctx) { return cmd_quarantine_export(ctx, *qe); });
  exp->add_option("ids", qe->which.ids, "Item ids (from quarantine list)")->check(CLI::PositiveNumber);
  exp->add_flag("--all", qe->which.all, "Every quarantined message");
  exp->add_option("--to", qe->to, "Folder to write to (made if missing; files are never overwritten)")
      ->required();

  auto qr = std::make_shared<QuarantineRetryOptions>();
  auto* retry = set.add(*group, "retry", "Route messages again against the current cache; push them unless --no-push",
                        [qr](Context& ctx) { return cmd_quarantine_retry(ctx, *qr); });
  retry->add_option("ids", qr->which.ids, "Item ids (from quarantine list)")->check(CLI::PositiveNumber);
  retry->add_flag("--all", qr->which.all, "Every quarantined message");
  retry->add_flag("--forward-mailbox", qr->forward_mailbox,
                  "Unwrap messages forwarded as attachments (as import --forward-mailbox)");
  retry->add_flag("--no-push", qr->no_push, "Only queue accepted mail; do not push to the CRM");
}

}  // namespace crmr
