#include "cli/context.h"

#include <spdlog/spdlog.h>

#include "cli/exit_codes.h"

namespace crmr {

Result<std::unique_ptr<Store>> Context::open_store() const {
  return Store::open(db_path, dry_run ? OpenMode::ReadOnly : OpenMode::ReadWrite);
}

void Context::trace_mailbox(const std::string& name, MailboxEndpoint& ep) const {
  if (!trace) return;
  ep.trace = [logger = trace, name](std::string_view line) {
    logger->debug("mailbox {} {}", name, line);
  };
}

int Context::fail_with(const Error& e) const {
  out.error(e.describe());
  switch (e.scope) {
    case Scope::Run: return kExitStorage;
    case Scope::Account:
    case Scope::Mailbox: return kExitUnreachable;
    case Scope::Message: return kExitPartial;
  }
  return kExitPartial;
}

}  // namespace crmr
