// The run lock: one writer per state database. Every command that writes the
// database (run, import, push, sync) takes it before opening the store; a
// second one exits at once with kExitBusy. The lock is a file next to the
// database (<db>.lock) under an OS lock, so it dies with its process.
#pragma once

#include <expected>
#include <string>

#include "cli/context.h"
#include "cli/platform.h"

namespace crmr {

// Held for as long as the object lives. Empty (holds nothing) in a dry run,
// which writes nothing and so never waits for or blocks anyone.
class RunLock {
 public:
  RunLock() = default;
  explicit RunLock(platform::FileLock lock) : lock_(std::move(lock)) {}
  bool held() const { return lock_.held(); }

 private:
  platform::FileLock lock_;
};

// The lock file of database `db_path`.
std::string lock_path_for(const std::string& db_path);

// Take the lock on ctx.db_path for a command that writes. On failure prints
// one line and returns the exit code: kExitBusy when another process holds
// it ("another crm-router run holds the lock on <db> (pid N); retry later"),
// kExitStorage when the lock file cannot be made. Usage:
//   auto lock = lock_database(ctx);
//   if (!lock) return lock.error();
std::expected<RunLock, int> lock_database(Context& ctx);

}  // namespace crmr
