#include "cli/lock.h"
#include "core/base/utf8_path.h"

#include <filesystem>

#include "cli/exit_codes.h"

namespace crmr {

std::string lock_path_for(const std::string& db_path) { return db_path + ".lock"; }

std::expected<RunLock, int> lock_database(Context& ctx) {
  if (ctx.dry_run || ctx.db_path.empty() || ctx.db_path == ":memory:") return RunLock{};
  // No folder, no database: opening the store reports that, in its own words.
  std::error_code ec;
  const auto dir = utf8_path(ctx.db_path).parent_path();
  if (!dir.empty() && !std::filesystem::is_directory(dir, ec)) return RunLock{};
  const std::string path = lock_path_for(ctx.db_path);
  platform::LockAttempt a = platform::try_lock_file(path);
  switch (a.kind) {
    case platform::LockAttempt::Acquired:
      return RunLock(std::move(a.lock));
    case platform::LockAttempt::Busy: {
      std::string line = "another crm-router run holds the lock on " + ctx.db_path + " (pid " +
                         (a.holder_pid > 0 ? std::to_string(a.holder_pid) : "unknown") +
                         "); retry later";
      ctx.out.error(line);  // and the log
      return std::unexpected(kExitBusy);
    }
    case platform::LockAttempt::Failed:
      break;
  }
  ctx.out.error("cannot create the lock file " + path + ": " + a.error +
                " (check that the database folder exists and is writable)");
  return std::unexpected(kExitStorage);
}

}  // namespace crmr
