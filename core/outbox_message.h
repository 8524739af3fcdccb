// OutboxMessage: one message queued for the CRM, as the outbox holds it: the
// routed message's bytes and its decision (the report entry as JSON), with
// the run that queued it. A value type: the store reads it, the push run
// turns it into what the CRM sink receives (PushMessage, core/crm_sink.h).
#pragma once

#include <cstdint>
#include <string>

namespace crmr {

struct OutboxMessage {
  std::int64_t id = 0;
  std::string key;
  std::string raw;            // the routed message's bytes
  std::string decision_json;  // its ReportEntry as JSON (entry_to_json)
  int attempts = 0;
  std::int64_t run_id = 0;   // the run that queued it
  std::int64_t run_seq = 0;  // its entry in that run's report; 0 when unknown
};

}  // namespace crmr
