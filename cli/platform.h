// Platform: the only place with operating-system specific calls (terminal
// detection, default paths). platform_posix.cc implements it for Linux/Unix;
// a Windows port adds platform_windows.cc.
#pragma once

#include <cstdio>
#include <memory>
#include <string>

#include "core/result.h"

namespace spdlog { class logger; }

namespace crmr::platform {

// True when the stream is an interactive terminal.
bool is_terminal(std::FILE* stream);

// Default state database: /var/lib/crm-router/state.db for root, else
// $XDG_STATE_HOME/crm-router/state.db (~/.local/state/...).
std::string default_db_path();

// Default configuration file: /etc/crm-router/crm-router.toml for root, else
// $XDG_CONFIG_HOME/crm-router/crm-router.toml (~/.config/...).
std::string default_config_path();

// Value of an environment variable, empty when unset.
std::string getenv_str(const char* name);

struct LockAttempt;

// An exclusive advisory lock on a file, held until this object is destroyed
// or the process ends: a crash never leaves a stale lock. Move-only.
class FileLock {
 public:
  FileLock() = default;
  ~FileLock();
  FileLock(FileLock&& other) noexcept;
  FileLock& operator=(FileLock&& other) noexcept;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  bool held() const { return handle_ >= 0; }

 private:
  friend LockAttempt try_lock_file(const std::string& path);
  long handle_ = -1;  // the OS handle (POSIX: a file descriptor)
};

struct LockAttempt {
  enum Kind { Acquired, Busy, Failed } kind = Failed;
  FileLock lock;        // held when Acquired
  long holder_pid = 0;  // Busy: the process id the holder wrote, 0 when unknown
  std::string error;    // Failed: what the OS said
};

// Try once, without waiting, to take the exclusive lock on `path` (created if
// missing; never deleted). The holder writes its process id into the file.
// Two attempts in one process also exclude each other.
LockAttempt try_lock_file(const std::string& path);

// From now on, files and folders this process creates are for its owner
// only (0600 / 0700): the database and its journal files, the lock file,
// logs, reports, exported messages. Called once at start (main). Files that
// exist already keep their mode. POSIX: umask 077.
void make_new_files_private();

// True when group or others may read `path` (false when it cannot be told).
bool readable_by_others(const std::string& path);

// Run `command` with the system shell and return the first line it prints
// (without the line end). Fails when it cannot start, exits non-zero or
// prints nothing; the error never contains its output.
Result<std::string> command_first_line(const std::string& command);

// A logger writing to the system log (syslog, facility "daemon", ident
// "crm-router"); nullptr where the platform has none.
std::shared_ptr<spdlog::logger> system_logger(const std::string& name);

}  // namespace crmr::platform
