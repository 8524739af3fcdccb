// Helpers for the hostile-input tests: generated mail, the crm-router binary
// run as a child process (with its peak memory and an optional file-size
// limit), reading reports back.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "tests/cli/cli_harness.h"

namespace crmr::test {

// One message with a Message-ID, from a known contact to a user who takes all mail.
inline std::string mail(const std::string& id, const std::string& extra_headers = {},
                        const std::string& body = "hello\n") {
  return "From: Jane Doe <jane@customer.example>\nTo: bob@contoso.example\nSubject: m " + id +
         "\nMessage-ID: <" + id + "@customer.example>\nDate: Mon, 5 Jan 2026 10:00:00 +0000\n" +
         extra_headers + "\n" + body;
}

inline std::string mbox_entry(const std::string& msg) {
  return "From jane@customer.example Mon Jan  5 10:00:00 2026\n" + msg + "\n";
}

// The cache every test starts with: Bob takes all mail, Jane is a contact.
inline std::string cache_jsonl() {
  return R"({"entity":"organization","trackingprefix":"CRM:","trackingtokeniddigits":3,"enablesmartmatching":false,"maxuploadfilesize":1073741824}
{"entity":"systemuser","systemuserid":"11111111-1111-1111-1111-111111111111","fullname":"Bob Sales","internalemailaddress":"bob@contoso.example","isdisabled":false,"incomingemailfilteringmethod":0}
{"entity":"contact","contactid":"22222222-2222-2222-2222-222222222222","fullname":"Jane Doe","emailaddress1":"jane@customer.example","statecode":0}
)";
}

inline std::string new_db(const TempDir& t, const std::string& name = "state.db") {
  auto r = run_cli({"--db", t.file(name), "cache", "import", t.write("cache.jsonl", cache_jsonl())});
  EXPECT_EQ(r.code, 0) << r.err;
  return t.file(name);
}

inline nlohmann::json report(const std::string& path) {
  return nlohmann::json::parse(read_file(path), nullptr, false);
}

// Outcome per message id (plus "" for entries without one) in a JSON report.
inline std::map<std::string, std::vector<std::string>> outcomes(const nlohmann::json& r) {
  std::map<std::string, std::vector<std::string>> out;
  for (const auto& m : r["messages"])
    out[m["message_id"].is_string() ? m["message_id"].get<std::string>() : ""].push_back(
        m["outcome"]);
  return out;
}

// True when `s` is well-formed UTF-8 (no overlongs, no surrogates).
inline bool valid_utf8(const std::string& s) {
  static const unsigned kMin[] = {0, 0x80, 0x800, 0x10000};
  for (std::size_t i = 0; i < s.size();) {
    unsigned char c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    int n;
    unsigned cp;
    if ((c & 0xE0) == 0xC0) n = 1, cp = c & 0x1F;
    else if ((c & 0xF0) == 0xE0) n = 2, cp = c & 0x0F;
    else if ((c & 0xF8) == 0xF0) n = 3, cp = c & 0x07;
    else return false;
    if (i + n >= s.size()) return false;
    for (int k = 1; k <= n; ++k) {
      unsigned char d = s[i + k];
      if ((d & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (d & 0x3F);
    }
    if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += n + 1;
  }
  return true;
}

// The crm-router binary run as a child: exit code (128+signal when killed),
// stdout, stderr, peak resident memory in KB.
struct ChildResult {
  int code = -1;
  std::string out;
  std::string err;
  long max_rss_kb = 0;
  std::string cmdline;  // its /proc/PID/cmdline read while it ran (NULs as spaces)
};

struct ChildOptions {
  std::map<std::string, std::string> env;  // added to the environment
  rlim_t max_file_bytes = RLIM_INFINITY;    // RLIMIT_FSIZE (SIGXFSZ ignored: writes get EFBIG)
};

inline ChildResult run_binary(const TempDir& t, std::vector<std::string> args,
                              const ChildOptions& o = {}) {
  args.insert(args.begin(), CRMR_BINARY);
  const std::string out = t.file("child.out"), err = t.file("child.err");
  pid_t pid = ::fork();
  if (pid == 0) {
    int fo = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int fe = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(fo, 1);
    ::dup2(fe, 2);
    for (const auto& [k, v] : o.env) ::setenv(k.c_str(), v.c_str(), 1);
    if (o.max_file_bytes != RLIM_INFINITY) {
      ::signal(SIGXFSZ, SIG_IGN);
      rlimit rl{o.max_file_bytes, o.max_file_bytes};
      ::setrlimit(RLIMIT_FSIZE, &rl);
    }
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ChildResult r;
  // Its command line as `ps` would show it, read while it runs.
  r.cmdline = read_file("/proc/" + std::to_string(pid) + "/cmdline");
  for (char& c : r.cmdline)
    if (c == '\0') c = ' ';
  int status = 0;
  rusage ru{};
  ::wait4(pid, &status, 0, &ru);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.max_rss_kb = ru.ru_maxrss;
  r.out = read_file(out);
  r.err = read_file(err);
  return r;
}

}  // namespace crmr::test
