// `explain FILE`: the message as parsed, and every step of its decision. This
// is how an administrator tests rules; it never writes anything.
#include <ostream>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/pipeline.h"
#include "core/message_key.h"
#include "core/normalize.h"
#include "core/report.h"
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

}  // namespace

int cmd_explain(Context& ctx, const ExplainOptions& o) {
  ctx.dry_run = true;  // explain never writes
  auto store = ctx.open_store();
  if (!store) return ctx.fail_with(store.error());
  SourceOptions so;
  so.max_message_bytes = ctx.cfg.limits.max_message_bytes;
  auto src = open_source(o.path, so);
  if (!src) {
    ctx.out.error(src.error().describe());
    return kExitInput;
  }
  std::ostream& os = ctx.out.out();
  int rc = kExitOk;
  std::uint64_t n = 0;
  while (!o.limit || n < *o.limit) {
    auto next = (*src)->next();
    if (!next) {
      ctx.out.error(next.error().describe());
      rc = kExitPartial;
      if (next.error().scope != Scope::Message) break;
      continue;
    }
    if (!next->has_value()) break;
    RawMessage& raw = **next;  // the routed bytes replace it when unwrapped
    ++n;
    os << "== " << raw.source << " " << raw.position << '\n';
    auto parsed = parse_message(raw.bytes, ctx.cfg.limits);
    if (!parsed) {
      os << "Cannot parse: " << parsed.error().describe() << "\n  => quarantined (ParseError)\n";
      rc = kExitPartial;
      continue;
    }
    Message msg = std::move(*parsed);
    Policy policy = ctx.cfg.policy;
    if ((o.forward_mailbox || ctx.cfg.forward_mailbox) &&
        route_as_forward_mailbox(msg, raw.bytes, policy, ctx.cfg.limits))
      os << "Unwrapped: forwarded by " << policy.forwarded_by << '\n';
    print_message(os, msg);
    std::string key = message_key(msg, raw.bytes);
    os << "  Key: " << key << '\n';
    print_decision(os, decide(msg, key, **store, policy));
  }
  return rc;
}

}  // namespace crmr
