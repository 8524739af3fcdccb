// The part of routing one message that needs nothing but the message: parse,
// forward-mailbox unwrap, the date filter's verdict, the message's key. A pure
// function of its inputs (no cache, no store), so the pipeline runs it on
// worker threads; the decision, the commit and the report follow in order.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/decision/decision.h"
#include "core/mail_source.h"
#include "core/mime/mime_parser.h"

namespace crmr {

struct PipelineOptions;

struct PreparedMessage {
  // The message as it is routed: after a forward mailbox's unwrap, `bytes`
  // are the inner message's.
  RawMessage raw;
  std::size_t read_bytes = 0;  // the size as read from the source, before any unwrap
  Result<Message> parsed;      // or why nothing usable could be made of the bytes
  Policy policy;               // the options' policy; a forward mailbox's role and forwarded_by
  bool out_of_dates = false;   // outside the options' since/until: not decided
  std::string key;             // message_key(); "sha256:<hex>" of the bytes when unparseable
};

PreparedMessage prepare_message(RawMessage raw, const PipelineOptions& opts);

}  // namespace crmr
