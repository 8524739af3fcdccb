#include <unistd.h>

#include <cstdlib>

#include "cli/platform.h"
#include "cli/platform_pipe.h"

namespace crmr::platform {

bool is_terminal(std::FILE* stream) { return isatty(fileno(stream)) == 1; }

std::string getenv_str(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::string(v) : std::string();
}

namespace {
std::string home_based(const char* xdg_var, const char* fallback_suffix) {
  std::string base = getenv_str(xdg_var);
  if (base.empty()) {
    std::string home = getenv_str("HOME");
    base = (home.empty() ? std::string(".") : home) + fallback_suffix;
  }
  return base + "/crm-router";
}
}  // namespace

std::string default_db_path() {
  if (geteuid() == 0) return "/var/lib/crm-router/state.db";
  return home_based("XDG_STATE_HOME", "/.local/state") + "/state.db";
}

std::string default_config_path() {
  if (geteuid() == 0) return "/etc/crm-router/crm-router.toml";
  return home_based("XDG_CONFIG_HOME", "/.config") + "/crm-router.toml";
}

}  // namespace crmr::platform

// ---- file lock, file modes, commands, syslog (POSIX)

#include <fcntl.h>
#include <spdlog/sinks/syslog_sink.h>
#include <spdlog/spdlog.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <syslog.h>

#include <cerrno>
#include <cstring>

namespace crmr::platform {

FileLock::~FileLock() {
  if (handle_ >= 0) ::close(static_cast<int>(handle_));  // releases the flock
}

FileLock::FileLock(FileLock&& other) noexcept : handle_(other.handle_) { other.handle_ = -1; }

FileLock& FileLock::operator=(FileLock&& other) noexcept {
  if (this != &other) {
    if (handle_ >= 0) ::close(static_cast<int>(handle_));
    handle_ = other.handle_;
    other.handle_ = -1;
  }
  return *this;
}

LockAttempt try_lock_file(const std::string& path) {
  LockAttempt a;
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    a.error = std::strerror(errno);
    return a;
  }
  // flock locks belong to the open file description: a second open() in the
  // same process conflicts too, and the lock dies with the last descriptor.
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    if (err == EWOULDBLOCK) {
      a.kind = LockAttempt::Busy;
      char buf[32] = {};
      ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
      if (n > 0) a.holder_pid = std::strtol(buf, nullptr, 10);
    } else {
      a.error = std::strerror(err);
    }
    ::close(fd);
    return a;
  }
  std::string pid = std::to_string(static_cast<long>(::getpid())) + "\n";
  if (::ftruncate(fd, 0) == 0) {
    ssize_t written = ::pwrite(fd, pid.data(), pid.size(), 0);
    (void)written;  // the pid is informative only; the lock is what counts
  }
  a.kind = LockAttempt::Acquired;
  a.lock.handle_ = fd;
  return a;
}

void make_new_files_private() { ::umask(077); }

bool readable_by_others(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return false;
  return (st.st_mode & (S_IRGRP | S_IROTH)) != 0;
}

Result<std::string> command_first_line(const std::string& command) {
  std::FILE* p = ::popen(command.c_str(), "r");
  if (!p) {
    return fail(Code::CommandStart, "cannot run the command: " + std::string(std::strerror(errno)));
  }
  const std::string line = first_line_of(p);
  int status = ::pclose(p);
  if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::string how = (status != -1 && WIFEXITED(status))
                          ? "exited with status " + std::to_string(WEXITSTATUS(status))
                          : std::string("did not exit normally");
    return fail(Code::CommandFailed, "the command " + how);
  }
  if (line.empty())
    return fail(Code::CommandEmpty, "the command printed nothing");
  return line;
}

std::shared_ptr<spdlog::logger> system_logger(const std::string& name) {
  return spdlog::syslog_logger_mt(name, "crm-router", LOG_PID, LOG_DAEMON);
}

}  // namespace crmr::platform
