#include "core/engine/prepared_message.h"

#include "core/engine/pipeline.h"
#include "core/mime/message_key.h"
#include "core/base/sha256.h"

namespace crmr {

PreparedMessage prepare_message(RawMessage raw, const PipelineOptions& opts) {
  PreparedMessage p;
  p.raw = std::move(raw);
  p.policy = opts.policy;
  p.read_bytes = p.raw.bytes.size();
  p.parsed = parse_message(p.raw.bytes, opts.limits);
  if (!p.parsed) {
    // Unparseable: keyed by its bytes (quarantined whole, never date-filtered).
    p.key = "sha256:" + sha256_hex(p.raw.bytes);
    return p;
  }
  Message& msg = *p.parsed;
  // A forward mailbox, however it is read (`run` of a mailbox with role
  // forward, import --forward-mailbox, quarantine retry).
  if (opts.forward_mailbox) route_as_forward_mailbox(msg, p.raw.bytes, p.policy, opts.limits);
  std::optional<std::int64_t> when = msg.date ? msg.date : p.raw.envelope_date;
  p.out_of_dates =
      when && ((opts.since && *when < *opts.since) || (opts.until && *when >= *opts.until));
  if (!p.out_of_dates) p.key = message_key(msg, p.raw.bytes);
  return p;
}

}  // namespace crmr
