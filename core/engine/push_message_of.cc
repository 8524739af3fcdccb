#include "core/engine/push_message_of.h"

namespace crmr {

PushDecision push_decision_of(const ReportEntry& e) {
  PushDecision d;
  d.message_id = e.message_id;
  d.subject = e.subject;
  d.from = e.from;
  d.date = e.date;
  d.reason = e.reason;
  d.correlation = e.correlation;
  d.correlated_activity_id = e.correlated_activity_id;
  if (e.regarding) d.regarding = CrmRef{e.regarding->entity, e.regarding->id, ""};
  for (const Acceptor& a : e.accepted_by) d.accepted_by.push_back(CrmRef{a.entity, a.id, a.name});
  d.parties = e.parties;
  for (const AttachmentVerdict& v : e.attachments) d.attachments.push_back(PushAttachment{v.kept, v.why});
  return d;
}

PushMessage push_message_of(const OutboxMessage& m) {
  PushMessage p;
  p.id = m.id;
  p.key = m.key;
  p.raw = m.raw;
  if (auto e = entry_from_json(m.decision_json)) p.decision = push_decision_of(*e);
  else p.decision_error = e.error().message;
  return p;
}

}  // namespace crmr
