#include "cli/context.h"
#include "core/base/utf8_path.h"

#include <spdlog/spdlog.h>

#include <filesystem>

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

Result<std::unique_ptr<Store>> Context::open_existing_store() const {
  std::error_code ec;
  if (db_path != ":memory:" && !std::filesystem::exists(utf8_path(db_path), ec)) {
    return fail(Code::StoreMissing, db_path + ": the database does not exist", "check --db or db in the configuration; the first sync, cache import, import or "
                "run creates it");
  }
  return Store::open(db_path, OpenMode::ReadOnly);
}

int Context::fail_with(const Error& e) const {
  out.error(e.describe());
  return exit_code_for(e);
}

}  // namespace crmr
