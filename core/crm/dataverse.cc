#include "core/crm/dataverse.h"

#include "core/crm/dataverse_sink.h"

namespace crmr {

Result<PushResult> CrmSink::push(const PushMessage& m) {
  std::optional<Result<PushResult>> out;
  auto st = push_all({m}, [&](const PushMessage&, Result<PushResult> r) { out = std::move(r); });
  if (!st) return std::unexpected(st.error());
  if (!out) return fail("crm.stopped", "outbox item " + std::to_string(m.id) + " was not pushed",
                        Scope::Run, Retry::Later);
  return std::move(*out);
}

namespace dataverse {

Result<std::unique_ptr<CrmSink>> make_dataverse_sink(DataverseOptions o) {
  return std::make_unique<DataverseSink>(std::move(o));
}

Result<std::unique_ptr<CrmReader>> make_dataverse_reader(DataverseOptions o) {
  return std::make_unique<DataverseReader>(std::move(o));
}

}  // namespace dataverse
}  // namespace crmr
