// `forget`: take messages out of the ledger so that the same mail is decided
// afresh by the next `import` of it or `run` over it (after a wrong setting).
//
// What it must not do: make the CRM get a message twice, or lose one.
//   tossed, duplicate  forgotten: nothing of theirs went anywhere.
//   pushed             only with --force: the CRM has it. Routed again and
//                      accepted, push first looks it up by its messageid and
//                      finds it, so no second activity is made (the one there
//                      stays as it is: delete it in the CRM first to have it
//                      made anew).
//   queued             only with --force: its outbox row (the copy waiting
//                      for the CRM) goes too, so it is not pushed with the
//                      old decision; the source must still hold the message.
//   quarantined,       never: `quarantine retry` routes them again, from the
//   failed             copy the quarantine keeps.
// Everything selected goes in one transaction under the run lock; run
// history (the reports of earlier runs) is not touched.
#include <CLI/CLI.hpp>

#include <spdlog/spdlog.h>

#include <map>
#include <set>
#include <memory>

#include "cli/commands/command_set.h"
#include "cli/commands/commands.h"
#include "cli/exit_codes.h"
#include "cli/lock.h"
#include "core/base/normalize.h"
#include "core/report/report_internal.h"

namespace crmr {
namespace {

using report_detail::terminal_line;

bool forgettable(const std::string& outcome, bool force) {
  if (outcome == "tossed" || outcome == "duplicate") return true;
  return force && (outcome == "pushed" || outcome == "queued");
}

// "2 tossed, 1 duplicate"
std::string counts_text(const std::map<std::string, std::int64_t>& counts) {
  std::string s;
  for (const auto& [outcome, n] : counts)
    s += (s.empty() ? "" : ", ") + std::to_string(n) + " " + outcome;
  return s;
}

std::string row_text(const LedgerRow& r) {
  std::string id = r.message_id.empty() ? r.key : "<" + r.message_id + ">";
  std::string where = r.source + (r.position.empty() ? "" : " " + r.position);
  return terminal_line(id, 200) + "\t" + r.outcome + "\t" + (r.reason.empty() ? "-" : r.reason) +
         "\trun " + std::to_string(r.run_id) + "\t" + terminal_line(where, 200);
}

}  // namespace

int cmd_forget(Context& ctx, const ForgetOptions& o) {
  LedgerFilter filter;
  filter.run_id = o.run;
  filter.outcomes = o.outcomes;
  filter.reasons = o.reasons;
  for (const auto& id : o.message_ids) filter.message_ids.push_back(normalize_message_id(id));
  filter.keys = o.keys;
  if (!o.run && o.outcomes.empty() && o.reasons.empty() && o.message_ids.empty() &&
      o.keys.empty()) {
    ctx.out.error("forget: say what to forget: --run ID, --outcome, --reason, --message-id or "
                  "--key (see crm-router forget --help); nothing done");
    return kExitUsage;
  }
  for (const auto& outcome : o.outcomes) {
    if (outcome == "quarantined" || outcome == "failed") {
      ctx.out.error("forget --outcome " + outcome + ": quarantined and failed messages are " +
                    "routed again with `crm-router quarantine retry`; nothing done");
      return kExitUsage;
    }
  }

  auto lock = lock_database(ctx);
  if (!lock) return lock.error();
  auto opened = ctx.open_store();
  if (!opened) return ctx.fail_with(opened.error());
  Store& store = **opened;
  if (o.run) {
    if (auto run = store.resolve_run(*o.run); !run) {
      ctx.out.error("forget --run " + std::to_string(*o.run) + ": " + run.error().message +
                    " (see `crm-router report --list`); nothing done");
      return kExitUsage;
    }
  }

  // One transaction: what is listed is exactly what is deleted.
  if (!ctx.dry_run) {
    if (auto st = store.begin(); !st) return ctx.fail_with(st.error());
  }
  std::map<std::string, std::int64_t> forgotten, left;
  std::set<std::string> mailboxes;  // configured mailboxes the forgotten mail came from
  std::int64_t total = 0;
  const std::string verb = ctx.dry_run ? "would forget\t" : "forget\t";
  Status listed = store.for_each_ledger_row(filter, [&](const LedgerRow& r) -> Status {
    if (!forgettable(r.outcome, o.force)) {
      ++left[r.outcome];
      return {};
    }
    ++forgotten[r.outcome];
    ++total;
    for (const auto& m : ctx.cfg.mailboxes)
      if (r.source.starts_with(m.name + "/")) mailboxes.insert(m.name);
    ctx.out.info(verb + row_text(r));
    if (!ctx.dry_run) spdlog::info("forget: {}", row_text(r));
    return {};
  });
  if (!listed) {
    if (!ctx.dry_run) store.rollback();
    return ctx.fail_with(listed.error());
  }
  if (!ctx.dry_run && total > 0) {
    LedgerFilter narrowed = filter;
    narrowed.outcomes.clear();
    for (const auto& [outcome, n] : forgotten) narrowed.outcomes.push_back(outcome);
    auto removed = store.ledger_forget(narrowed);
    if (removed && *removed != total) {
      removed = fail(Code::StoreChanged, ctx.db_path + ": the ledger changed while forgetting",
                     "run forget again");
    }
    if (!removed) {
      store.rollback();
      return ctx.fail_with(removed.error());
    }
  }
  if (!ctx.dry_run) {
    if (auto st = store.commit(); !st) return ctx.fail_with(st.error());
  }

  if (total == 0 && left.empty()) {
    ctx.out.info("no message in the ledger matches: nothing to forget");
    return kExitOk;
  }
  if (total > 0) {
    std::string line = ctx.dry_run ? "dry run: would forget " : "forgot ";
    line += std::to_string(total) + " message(s) (" + counts_text(forgotten) + ")";
    line += ctx.dry_run ? "; nothing changed"
                        : "; the next import of them, or run over them, decides them afresh";
    ctx.out.info(line);
    if (!ctx.dry_run) spdlog::info("{}", line);
    // A run already disposed of mailbox mail: it is read again with --once.
    for (const auto& name : mailboxes)
      ctx.out.info("mailbox " + name + ": crm-router run --mailbox " + name +
                   " --once [--folder FOLDER] reads it again where the last run left it");
  }
  std::map<std::string, std::int64_t> need_force, quarantine;
  for (const auto& [outcome, n] : left)
    (outcome == "pushed" || outcome == "queued" ? need_force : quarantine)[outcome] = n;
  if (!need_force.empty()) {
    ctx.out.warn("left in the ledger: " + counts_text(need_force) +
                 " (--force forgets them too; the CRM never gets one twice: "
                 "see crm-router(1), forget)");
  }
  if (!quarantine.empty()) {
    ctx.out.warn("left in the ledger: " + counts_text(quarantine) +
                 " (route them again with `crm-router quarantine retry`)");
  }
  return kExitOk;
}

// --- its command line ---

void add_forget_command(CLI::App& app, CommandSet& set) {
  auto o = std::make_shared<ForgetOptions>();
  auto* c = set.add(app, "forget", "Take messages out of the ledger so that they are routed afresh",
                    [o](Context& ctx) { return cmd_forget(ctx, *o); });
  c->add_option("--run", o->run, "Messages first recorded by run ID (see report --list)")
      ->check(CLI::PositiveNumber);
  c->add_option("--outcome", o->outcomes, "Only this outcome (repeatable): tossed duplicate pushed queued")
      ->check(CLI::IsMember({"tossed", "duplicate", "pushed", "queued", "quarantined", "failed"}));
  c->add_option("--reason", o->reasons, "Only this reason code (repeatable), e.g. NoRecipientMatch");
  c->add_option("--message-id", o->message_ids, "This Message-ID (repeatable)");
  c->add_option("--key", o->keys, "This message key, as the report shows it (repeatable)");
  c->add_flag("--force", o->force, "Also forget pushed and queued messages (see crm-router(1))");
}

}  // namespace crmr
