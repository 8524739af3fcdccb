// Test harness for the command line: runs crm-router in-process through
// run_app (real store files, real inputs) and captures its output.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "cli/app.h"
#include "tests/support/temp_dir.h"

namespace crmr::test {

struct CliResult {
  int code = -1;
  std::string out;
  std::string err;
};

inline CliResult run_cli(std::vector<std::string> args) {
  args.insert(args.begin(), "crm-router");
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  std::ostringstream out, err;
  CliResult r;
  r.code = run_app(static_cast<int>(argv.size()), argv.data(), out, err);
  r.out = out.str();
  r.err = err.str();
  return r;
}

#ifdef CRMR_BINARY
// In a forked child: become the crm-router binary run with `args` (exit 127
// when it cannot be started).
[[noreturn]] inline void exec_binary(const std::vector<std::string>& args) {
  std::vector<char*> argv = {const_cast<char*>(CRMR_BINARY)};
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  ::execv(CRMR_BINARY, argv.data());
  ::_exit(127);
}

// The exit status of child `pid` once it ends (-signal when killed).
inline int wait_exit_status(pid_t pid) {
  int st = 0;
  ::waitpid(pid, &st, 0);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -WTERMSIG(st);
}

// Starts the crm-router binary with `args` as a child process, CRMR_CRASH_AT
// set to `crash_at` (unset when empty), its output appended to `log`.
// Returns its pid; wait_exit_status() reaps it.
inline pid_t start_binary(const std::vector<std::string>& args, const std::string& crash_at,
                          const std::string& log = "/dev/null") {
  pid_t pid = ::fork();
  if (pid == 0) {
    int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    if (crash_at.empty()) ::unsetenv("CRMR_CRASH_AT");
    else ::setenv("CRMR_CRASH_AT", crash_at.c_str(), 1);
    exec_binary(args);
  }
  return pid;
}

// start_binary(), then its exit status (-signal when killed); crash_point
// ends it with 137.
inline int run_binary(const std::vector<std::string>& args, const std::string& crash_at,
                      const std::string& log = "/dev/null") {
  return wait_exit_status(start_binary(args, crash_at, log));
}
#endif

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline std::string source_path(const std::string& rel) {
  return std::string(CRMR_SOURCE_DIR) + "/" + rel;
}

}  // namespace crmr::test
