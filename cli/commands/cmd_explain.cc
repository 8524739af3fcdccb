// `explain FILE`: the message as parsed, and every step of its decision. This
// is how an administrator tests rules; it never writes anything. FILE#N
// explains message N of an mbox (the position the report gives it),
// --quarantine ID a quarantined message as `quarantine retry` would route it,
// and --ignore-ledger decides a message already processed as if it were new.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <filesystem>
#include <ostream>
#include <tuple>
#include <memory>

#include "cli/commands/command_set.h"
#include "core/base/utf8_path.h"
#include "cli/commands/commands.h"
#include "cli/exit_codes.h"
#include "core/engine/pipeline.h"
#include "cli/quarantine_routing.h"
#include "core/cache_view_decorator.h"
#include "core/mime/message_key.h"
#include "core/base/normalize.h"
#include "core/report/report.h"
#include "core/report/report_internal.h"
#include "core/sources/open_source.h"

namespace crmr {
namespace {

std::string join_addresses(const std::vector<Address>& list) {
  std::string s;
  for (const auto& a : list) {
    if (!s.empty()) s += ", ";
    s += a.name.empty() ? a.address : a.name + " <" + a.address + ">";
  }
  return s;
}

void print_message(std::ostream& os, const Message& m) {
  auto line = [&](const char* k, const std::string& v) {
    if (!v.empty()) os << "  " << k << ": " << v << '\n';
  };
  os << "Message\n";
  line("Message-ID", m.message_id);
  line("Date", m.date ? iso_utc(*m.date) : m.date_raw.empty() ? "" : m.date_raw + " (unparsed)");
  line("From", join_addresses(m.from));
  line("To", join_addresses(m.to));
  line("Cc", join_addresses(m.cc));
  line("Bcc", join_addresses(m.bcc));
  line("Subject", m.subject);
  std::string refs;
  for (const auto& r : m.in_reply_to) refs += (refs.empty() ? "" : " ") + r;
  line("In-Reply-To", refs);
  refs.clear();
  for (const auto& r : m.references) refs += (refs.empty() ? "" : " ") + r;
  line("References", refs);
  line("Thread-Index", m.thread_index);
  if (auto k = conversation_key(m.thread_index)) line("Conversation", *k);
  line("Auto-Submitted", m.auto_submitted);
  line("Precedence", m.precedence);
  if (m.is_delivery_status) line("Report", "delivery-status");
  os << "  Body: " << m.text_body.size() << " bytes text, " << m.html_body.size()
     << " bytes HTML\n";
  for (const auto& a : m.attachments)
    os << "  Attachment: " << (a.filename.empty() ? "(no name)" : a.filename) << " ("
       << a.content_type << ", " << a.size << " bytes" << (a.is_inline ? ", inline" : "")
       << ")\n";
  for (const auto& w : m.warnings) os << "  Warning: " << w << '\n';
}

void print_decision(std::ostream& os, const Decision& d) {
  os << "Decision\n";
  for (const auto& s : d.steps)
    os << "  [" << (s.fired ? "x" : " ") << "] " << s.rule << ": " << s.detail << '\n';
  os << "  => " << to_string(d.outcome) << " (" << d.reason << ")";
  if (d.correlation != Correlation::None) os << ", correlation " << to_string(d.correlation);
  os << '\n';
  if (d.regarding) os << "  Regarding: " << d.regarding->entity << " " << d.regarding->id << '\n';
  for (const auto& p : d.parties)
    os << "  Party " << p.role << ": " << p.address << " -> "
       << (p.entity.empty() ? "unresolved" : p.entity + " " + p.id +
                                                  (p.name.empty() ? "" : " (" + p.name + ")"))
       << '\n';
  for (const auto& a : d.attachments)
    os << "  Attachment " << a.filename << ": " << (a.kept ? "kept" : "left out: " + a.why)
       << '\n';
}

// The cache as explain reads it: the store, with the ledger not consulted
// for every key (--ignore-ledger) or for one (a quarantine item's own).
class LedgerView final : public CacheViewDecorator {
 public:
  LedgerView(const CacheView& base, bool ignore_all, std::string ignore_key)
      : CacheViewDecorator(base), ignore_all_(ignore_all), ignore_key_(std::move(ignore_key)) {}
  bool ignores(std::string_view key) const {
    return ignore_all_ || (!ignore_key_.empty() && key == ignore_key_);
  }
  bool ledger_has(std::string_view key) const override {
    return !ignores(key) && base().ledger_has(key);
  }

 private:
  bool ignore_all_;
  std::string ignore_key_;
};

// What the ledger holds for `key`: "tossed (NoRecipientMatch), run 3 at T";
// empty when it holds nothing.
Result<std::string> ledger_text(const Store& store, const std::string& key) {
  LedgerFilter f;
  f.keys = {key};
  std::string text;
  Status st = store.for_each_ledger_row(f, [&](const LedgerRow& r) -> Status {
    // A failed row's reason is the CRM's error text: the quarantine shows it.
    std::string reason = r.outcome == "failed" ? "refused by the CRM" : r.reason;
    if (!reason.empty()) reason = " (" + report_detail::terminal_line(reason, 120) + ")";
    text = r.outcome + reason + ", run " + std::to_string(r.run_id) + " at " + r.at;
    return {};
  });
  if (!st) return std::unexpected(st.error());
  return text;
}

// FILE#N: the file and "#N" when `arg` names message N of a file (and is not
// itself an existing path); else std::nullopt.
std::optional<std::pair<std::string, std::string>> split_position(const std::string& arg) {
  auto hash = arg.rfind('#');
  if (hash == std::string::npos || hash == 0 || hash + 1 == arg.size()) return std::nullopt;
  std::string n = arg.substr(hash + 1);
  if (n.find_first_not_of("0123456789") != std::string::npos || n.front() == '0')
    return std::nullopt;
  std::error_code ec;
  if (std::filesystem::exists(utf8_path(arg), ec)) return std::nullopt;
  return std::make_pair(arg.substr(0, hash), "#" + n);
}

// How one message is explained: the options it is routed with and whose
// ledger row is not consulted.
struct ExplainRouting {
  Policy policy;
  bool forward_mailbox = false;
  bool ignore_ledger = false;  // --ignore-ledger: any key
  std::string own_key;         // a quarantine item's key: its own ledger row
  std::string own_label;       // e.g. "quarantine item 3"
};

// Explain `raw`: parse, unwrap, print the message, its key and ledger state,
// and the decision. Returns the exit code for this message.
int explain_one(Context& ctx, const Store& store, RawMessage raw, const ExplainRouting& how) {
  std::ostream& os = ctx.out.out();
  auto parsed = parse_message(raw.bytes, ctx.cfg.limits);
  if (!parsed) {
    os << "Cannot parse: " << parsed.error().describe() << "\n  => quarantined (ParseError)\n";
    return kExitPartial;
  }
  Message msg = std::move(*parsed);
  Policy policy = how.policy;
  if (how.forward_mailbox && route_as_forward_mailbox(msg, raw.bytes, policy, ctx.cfg.limits))
    os << "Unwrapped: forwarded by " << policy.forwarded_by << '\n';
  print_message(os, msg);
  std::string key = message_key(msg, raw.bytes);
  os << "  Key: " << key << '\n';
  auto held = ledger_text(store, key);
  if (!held) return ctx.fail_with(held.error());
  LedgerView view(store, how.ignore_ledger, how.own_key);
  std::string ignored;  // why the ledger row is not consulted, when it is not
  if (!held->empty() && view.ignores(key)) {
    ignored = how.ignore_ledger ? "ignored (--ignore-ledger): decided as if new"
                                : "ignored: the ledger row of " + how.own_label +
                                      " itself; decided as `quarantine retry` would";
    os << "  Ledger: " << *held << "; " << ignored << '\n';
  } else if (!held->empty()) {
    os << "  Ledger: " << *held << "; so a duplicate now (--ignore-ledger decides it as new)\n";
  } else if (how.ignore_ledger) {
    os << "  Ledger: not processed before (--ignore-ledger changes nothing)\n";
  }
  Decision d = decide(msg, key, view, policy);
  // A lookup that failed is no answer: say so instead of a decision made of it.
  if (auto st = view.status(); !st) return ctx.fail_with(st.error());
  if (!ignored.empty()) {
    for (auto& step : d.steps)
      if (step.rule == "duplicate.ledger")
        step.detail = "message key " + key + " is in the ledger as " + *held + "; " + ignored;
  }
  print_decision(os, d);
  return kExitOk;
}

// `explain --quarantine ID`.
int explain_quarantined(Context& ctx, const Store& store, const ExplainOptions& o) {
  auto items = store.quarantine_list();
  if (!items) return ctx.fail_with(items.error());
  auto it = std::find_if(items->begin(), items->end(),
                         [&](const QuarantineItem& q) { return q.id == *o.quarantine; });
  if (it == items->end()) {
    ctx.out.error("no quarantine item " + std::to_string(*o.quarantine) +
                  " (see `crm-router quarantine list`)");
    return kExitUsage;
  }
  auto raw = store.quarantine_raw(it->id);
  if (!raw) return ctx.fail_with(raw.error());
  PipelineOptions base;
  base.policy = ctx.cfg.policy;
  PipelineOptions po = quarantine_routing(ctx, base, *it, o.forward_mailbox);
  ExplainRouting how{po.policy, po.forward_mailbox, o.ignore_ledger, it->key,
                     "quarantine item " + std::to_string(it->id)};
  std::ostream& os = ctx.out.out();
  os << "== quarantine item " << it->id << ": "
     << report_detail::terminal_line(it->source + " " + it->position, 200) << " ("
     << report_detail::terminal_line(it->error, 400) << ")\n";
  return explain_one(ctx, store,
                     RawMessage{it->source, it->position, std::move(*raw), std::nullopt}, how);
}

}  // namespace

int cmd_explain(Context& ctx, const ExplainOptions& o) {
  if (o.path.empty() == !o.quarantine) {
    ctx.out.error(std::string("explain: give a FILE (FILE#N for message N of an mbox) or ") +
                  "--quarantine ID" + (o.quarantine ? ", not both" : ""));
    return kExitUsage;
  }
  ctx.dry_run = true;  // explain never writes
  auto store = ctx.open_existing_store();  // no database: say so, never decide against nothing
  if (!store) return ctx.fail_with(store.error());
  if (o.quarantine) return explain_quarantined(ctx, **store, o);

  std::string path = o.path;
  std::optional<std::string> position;  // FILE#N: only message N
  if (auto split = split_position(o.path)) std::tie(path, position) = *split;
  SourceOptions so;
  so.max_message_bytes = ctx.cfg.limits.max_message_bytes;
  auto src = open_source(path, so);
  if (!src) {
    ctx.out.error(src.error().describe());
    return kExitInput;
  }
  ExplainRouting how{ctx.cfg.policy, o.forward_mailbox || ctx.cfg.forward_mailbox,
                     o.ignore_ledger, "", ""};
  std::ostream& os = ctx.out.out();
  int rc = kExitOk;
  std::uint64_t n = 0;
  bool found = false;
  while (!found && (position || !o.limit || n < *o.limit)) {
    auto next = (*src)->next();
    if (!next) {
      ctx.out.error(next.error().describe());
      rc = kExitPartial;
      if (next.error().scope != Scope::Message) break;
      continue;
    }
    if (!next->has_value()) break;
    RawMessage& raw = **next;
    ++n;
    if (position) {
      if (raw.position != *position) continue;
      found = true;
    }
    os << "== " << raw.source << " " << raw.position << '\n';
    int one = explain_one(ctx, **store, std::move(raw), how);
    if (one == kExitStorage) return one;
    if (one != kExitOk) rc = one;
  }
  if (position && !found) {
    ctx.out.error(path + " has no message " + *position + " (it has " + std::to_string(n) +
                  "; the report's position names one)");
    return kExitInput;
  }
  return rc;
}

// --- its command line ---

void add_explain_command(CLI::App& app, CommandSet& set) {
  auto o = std::make_shared<ExplainOptions>();
  auto* c = set.add(app, "explain", "Show a message as parsed and every step of its decision",
                    [o](Context& ctx) { return cmd_explain(ctx, *o); });
  c->add_option("file", o->path, "A message file, an mbox, FILE#N (message N of an mbox), - = stdin");
  c->add_option("--quarantine", o->quarantine, "Explain a quarantine item (by id) instead of a file")
      ->check(CLI::PositiveNumber);
  c->add_flag("--ignore-ledger", o->ignore_ledger,
              "Decide as if the message was never processed (and say so)");
  c->add_flag("--forward-mailbox", o->forward_mailbox, "Unwrap a forwarded-as-attachment message");
  c->add_option("--limit", o->limit, "Explain at most N messages")->check(CLI::PositiveNumber);
}

}  // namespace crmr
