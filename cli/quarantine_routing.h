// How a quarantined message is routed again: with the options its source was
// processed with. Shared by `quarantine retry` and `explain --quarantine`, so
// that explain shows the decision retry would make.
#pragma once

#include "cli/context.h"
#include "core/engine/pipeline.h"
#include "storage/store.h"

namespace crmr {

// The pipeline options for routing quarantine item `q` again, from `base`.
// A configured mailbox (source "NAME/FOLDER") gives its role and unwrap; a
// message the CRM refused was stored as routed (already unwrapped), so it is
// not unwrapped again, but is decided as the forward mailbox it came from
// (role Forward) with its forwarding user (the "forwarded_by" of its stored
// decision; none for a decision stored before that field existed).
// `forward_mailbox`: --forward-mailbox was given.
PipelineOptions quarantine_routing(const Context& ctx, const PipelineOptions& base,
                                   const QuarantineItem& q, bool forward_mailbox);

}  // namespace crmr
