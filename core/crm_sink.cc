#include "core/crm_sink.h"

namespace crmr {

Result<PushResult> CrmSink::push(const PushMessage& m) {
  std::optional<Result<PushResult>> out;
  auto st = push_all({m}, [&](const PushMessage&, Result<PushResult> r) { out = std::move(r); });
  if (!st) return std::unexpected(st.error());
  if (!out) return fail(Code::CrmStopped, "outbox item " + std::to_string(m.id) + " was not pushed",
                        Scope::Run, Retry::Later);
  return std::move(*out);
}

}  // namespace crmr
