#include "core/crm/dataverse.h"

#include "core/crm/dataverse_sink.h"

namespace crmr::dataverse {

Result<std::unique_ptr<CrmSink>> make_dataverse_sink(DataverseOptions o) {
  return std::make_unique<DataverseSink>(std::move(o));
}

Result<std::unique_ptr<CrmReader>> make_dataverse_reader(DataverseOptions o) {
  return std::make_unique<DataverseReader>(std::move(o));
}

}  // namespace crmr::dataverse
