#include "cli/quarantine_routing.h"

#include "core/report/report.h"

namespace crmr {
namespace {

// The forwarding user of a message the CRM refused: the pipeline unwrapped it
// before queueing it and kept who forwarded it in the decision's
// "forwarded_by" (pipeline.cc). Empty when it was not unwrapped, and for a
// decision stored before that field existed (then it is retried without one).
std::string forwarded_by(const std::string& decision_json) {
  if (decision_json.empty()) return {};
  auto e = entry_from_json(decision_json);
  return e ? e->forwarded_by : std::string();
}

}  // namespace

PipelineOptions quarantine_routing(const Context& ctx, const PipelineOptions& base,
                                   const QuarantineItem& q, bool forward_mailbox) {
  PipelineOptions po = base;
  po.forward_mailbox = forward_mailbox || ctx.cfg.forward_mailbox;
  for (const auto& m : ctx.cfg.mailboxes) {
    if (!q.source.starts_with(m.name + "/")) continue;
    po.policy.role = m.role;
    po.forward_mailbox = m.role.kind == MailboxRole::Forward;
    break;
  }
  if (q.ledger_outcome == "failed") {
    po.policy.forwarded_by = forwarded_by(q.decision_json);
    if (po.forward_mailbox || !po.policy.forwarded_by.empty())
      po.policy.role = MailboxRole{MailboxRole::Forward, {}};
    po.forward_mailbox = false;
  }
  return po;
}

}  // namespace crmr
