// Runs the crm-router binary as an administrator would from a shell: its own
// process, a working directory, environment variables set or unset, stdout
// and stderr captured together. For tests of exit codes, messages, paths and
// file modes, which an in-process run_cli cannot show (umask, cwd).
#pragma once

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "storage/store.h"
#include "tests/cli/cli_harness.h"

namespace crmr::test {

struct AdminRun {
  int code = -1;       // exit status, -signal when killed
  std::string output;  // stdout and stderr, interleaved as written
};

// `crm-router ARGS...` in folder `cwd` (the current one when empty), with
// `env` set (a nullopt value unsets the variable).
inline AdminRun admin_run(const std::vector<std::string>& args, const std::string& cwd = {},
                          const std::map<std::string, std::optional<std::string>>& env = {}) {
  TempDir out_dir;
  const std::string out = out_dir.file("output");
  pid_t pid = ::fork();
  if (pid == 0) {
    if (!cwd.empty() && ::chdir(cwd.c_str()) != 0) ::_exit(126);
    for (const auto& [k, v] : env) {
      if (v) ::setenv(k.c_str(), v->c_str(), 1);
      else ::unsetenv(k.c_str());
    }
    ::unsetenv("CRMR_CRASH_AT");
    int fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    exec_binary(args);
  }
  AdminRun r;
  r.code = wait_exit_status(pid);
  r.output = read_file(out);
  return r;
}

// A count from `cache stats` of the database at `db` (-1 when it cannot be read).
inline std::int64_t db_count(const std::string& db, const char* what) {
  auto s = Store::open(db, OpenMode::ReadOnly);
  if (!s) return -1;
  auto stats = (*s)->cache_stats();
  return stats ? (*stats)[what] : -1;
}

// A message from a customer (a contact of demo/cache.jsonl) to a CRM user
// (`to`), answering an e-mail the demo cache tracks: routed, it is queued as
// correlated (in_reply_to). Adele Vance accepts only correlated mail.
inline std::string demo_reply(const std::string& id,
                              const std::string& to = "Megan Bowen <megan.bowen@contoso.example>") {
  return "From: Jane Doe <jane.doe@fabrikam.example>\r\n"
         "To: " + to + "\r\n"
         "Subject: RE: Quote Q-1042 for Fabrikam\r\n"
         "Message-ID: <" + id + "@fabrikam.example>\r\n"
         "In-Reply-To: <20261102084511.4F2A1C@mail.contoso.example>\r\n"
         "Date: Tue, 3 Nov 2026 09:00:00 +0000\r\n\r\nThanks, we accept the quote.\r\n";
}

}  // namespace crmr::test
