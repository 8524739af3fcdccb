// The Dataverse Web API client, as the rest of the program has it: a CrmSink
// for push and a CrmReader for sync and check, each from its options (the
// secret already read by the caller). The classes behind them are internal to
// core/crm. Creating one sends nothing: the first request authenticates.
#pragma once

#include <memory>

#include "core/crm/dataverse_options.h"
#include "core/crm_reader.h"
#include "core/crm_sink.h"
#include "core/result.h"

namespace crmr::dataverse {

Result<std::unique_ptr<CrmSink>> make_dataverse_sink(DataverseOptions o);
Result<std::unique_ptr<CrmReader>> make_dataverse_reader(DataverseOptions o);

}  // namespace crmr::dataverse
