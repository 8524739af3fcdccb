// The PushMessage (core/push_message.h) of an outbox item: its bytes and the
// parts of its decision (the report entry the outbox keeps as JSON) that a
// CRM sink makes the CRM's e-mail of. An entry that cannot be read gives a
// PushMessage without a decision, with why (the sink quarantines it).
#pragma once

#include "core/outbox_message.h"
#include "core/push_message.h"
#include "core/report/report.h"

namespace crmr {

PushMessage push_message_of(const OutboxMessage& m);
PushDecision push_decision_of(const ReportEntry& e);

}  // namespace crmr
