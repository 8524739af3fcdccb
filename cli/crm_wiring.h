// The CRM client of the configuration (crm_wiring.cc): the Dataverse
// implementations of CrmSink (push) and CrmReader (sync, check) for
// ctx.cfg.crm, with the [crm] secret read for them.
#pragma once

#include <memory>

#include "cli/context.h"
#include "core/crm_reader.h"
#include "core/crm_sink.h"
#include "core/result.h"

namespace crmr {

// The CRM client for ctx.cfg.crm, with its secret read from the environment or
// the file the configuration names. Fails (Scope::Run) when [crm] is missing or
// the secret cannot be had. Without `with_secret` the sink can only preview
// (the dry run): no secret is read and nothing may be sent.
Result<std::unique_ptr<CrmSink>> open_crm_sink(const Context& ctx, bool with_secret = true);
// The same for the reads of `sync` and `check`.
Result<std::unique_ptr<CrmReader>> open_crm_reader(const Context& ctx);

}  // namespace crmr
