// Windows implementation of cli/platform.h (MinGW-w64 or MSVC). Strings are
// UTF-8 everywhere else in the program; they become UTF-16 only here, at the
// Win32 calls.
#include <windows.h>
#include <aclapi.h>
#include <io.h>
#include <sddl.h>
#include <shlobj.h>

#include <spdlog/sinks/win_eventlog_sink.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "cli/platform.h"
#include "cli/platform_pipe.h"

namespace crmr::platform {
namespace {

std::wstring widen(const std::string& s) {
  if (s.empty()) return {};
  int n = MultiByteToWideChar(CP_UTF8, 0, s.data(), static_cast<int>(s.size()), nullptr, 0);
  std::wstring w(static_cast<std::size_t>(n), L'\0');
  MultiByteToWideChar(CP_UTF8, 0, s.data(), static_cast<int>(s.size()), w.data(), n);
  return w;
}

std::string narrow(const wchar_t* w) {
  if (!w || !*w) return {};
  int n = WideCharToMultiByte(CP_UTF8, 0, w, -1, nullptr, 0, nullptr, nullptr);
  std::string s(static_cast<std::size_t>(n > 0 ? n - 1 : 0), '\0');
  if (n > 1) WideCharToMultiByte(CP_UTF8, 0, w, -1, s.data(), n, nullptr, nullptr);
  return s;
}

std::string win_error(DWORD code) {
  wchar_t* buf = nullptr;
  DWORD n = FormatMessageW(FORMAT_MESSAGE_ALLOCATE_BUFFER | FORMAT_MESSAGE_FROM_SYSTEM |
                               FORMAT_MESSAGE_IGNORE_INSERTS,
                           nullptr, code, 0, reinterpret_cast<wchar_t*>(&buf), 0, nullptr);
  std::string s = n ? narrow(buf) : "Windows error " + std::to_string(code);
  if (buf) LocalFree(buf);
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == '.')) s.pop_back();
  return s;
}

// A known folder (FOLDERID_ProgramData, FOLDERID_LocalAppData), "." when unknown.
std::string known_folder(REFKNOWNFOLDERID id) {
  PWSTR path = nullptr;
  std::string s = ".";
  if (SHGetKnownFolderPath(id, 0, nullptr, &path) == S_OK) s = narrow(path);
  CoTaskMemFree(path);
  return s;
}

// True when the process runs elevated (an administrator or a service
// account): like root on POSIX, it uses the machine-wide folders.
bool elevated() {
  HANDLE token = nullptr;
  if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &token)) return false;
  TOKEN_ELEVATION e{};
  DWORD len = 0;
  bool yes = GetTokenInformation(token, TokenElevation, &e, sizeof e, &len) && e.TokenIsElevated;
  CloseHandle(token);
  return yes;
}

// Machine-wide: %ProgramData%\crm-router; per user: %LOCALAPPDATA%\crm-router.
std::string data_folder() {
  return known_folder(elevated() ? FOLDERID_ProgramData : FOLDERID_LocalAppData) + "\\crm-router";
}

}  // namespace

bool is_terminal(std::FILE* stream) {
  HANDLE h = reinterpret_cast<HANDLE>(_get_osfhandle(_fileno(stream)));
  DWORD mode = 0;
  if (h == INVALID_HANDLE_VALUE || !GetConsoleMode(h, &mode)) return false;
  // A console: let it interpret the ANSI colour sequences spdlog writes.
  SetConsoleMode(h, mode | ENABLE_VIRTUAL_TERMINAL_PROCESSING);
  SetConsoleOutputCP(CP_UTF8);  // our text is UTF-8
  return true;
}

std::string getenv_str(const char* name) {
  DWORD n = GetEnvironmentVariableW(widen(name).c_str(), nullptr, 0);
  if (n == 0) return {};
  std::wstring w(n, L'\0');
  n = GetEnvironmentVariableW(widen(name).c_str(), w.data(), n);
  w.resize(n);
  return narrow(w.c_str());
}

std::string default_db_path() { return data_folder() + "\\state.db"; }

std::string default_config_path() { return data_folder() + "\\crm-router.toml"; }

// ---- the run lock: LockFileEx on one byte far beyond the process id the
// holder writes at the start of the file, so that others can still read it.

namespace {
constexpr DWORD kLockOffsetHigh = 0x7fffffff;  // beyond any real content
}  // namespace

FileLock::~FileLock() {
  if (handle_ >= 0) _close(static_cast<int>(handle_));  // closing the handle releases the lock
}

FileLock::FileLock(FileLock&& other) noexcept : handle_(other.handle_) { other.handle_ = -1; }

FileLock& FileLock::operator=(FileLock&& other) noexcept {
  if (this != &other) {
    if (handle_ >= 0) _close(static_cast<int>(handle_));
    handle_ = other.handle_;
    other.handle_ = -1;
  }
  return *this;
}

LockAttempt try_lock_file(const std::string& path) {
  LockAttempt a;
  HANDLE h = CreateFileW(widen(path).c_str(), GENERIC_READ | GENERIC_WRITE,
                         FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr,
                         OPEN_ALWAYS, FILE_ATTRIBUTE_NORMAL, nullptr);
  if (h == INVALID_HANDLE_VALUE) {
    a.error = win_error(GetLastError());
    return a;
  }
  // Byte-range locks belong to the handle: a second handle in this process
  // conflicts too, and the lock dies with the handle (or the process).
  OVERLAPPED ov{};
  ov.OffsetHigh = kLockOffsetHigh;
  if (!LockFileEx(h, LOCKFILE_EXCLUSIVE_LOCK | LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0, &ov)) {
    DWORD err = GetLastError();
    if (err == ERROR_LOCK_VIOLATION || err == ERROR_IO_PENDING) {
      a.kind = LockAttempt::Busy;
      char buf[32] = {};
      DWORD got = 0;
      if (ReadFile(h, buf, sizeof buf - 1, &got, nullptr) && got > 0)
        a.holder_pid = std::strtol(buf, nullptr, 10);
    } else {
      a.error = win_error(err);
    }
    CloseHandle(h);
    return a;
  }
  std::string pid = std::to_string(static_cast<long>(GetCurrentProcessId())) + "\n";
  DWORD written = 0;
  SetFilePointer(h, 0, nullptr, FILE_BEGIN);
  SetEndOfFile(h);
  WriteFile(h, pid.data(), static_cast<DWORD>(pid.size()), &written, nullptr);  // informative only
  int fd = _open_osfhandle(reinterpret_cast<intptr_t>(h), 0);
  if (fd < 0) {
    CloseHandle(h);
    a.error = "cannot keep the lock file open";
    return a;
  }
  a.kind = LockAttempt::Acquired;
  a.lock.handle_ = fd;
  return a;
}

// ---- file permissions (ACLs)

// Objects this process creates get the token's default DACL unless their
// folder passes inheritable entries on: make that default the owner, SYSTEM
// and the Administrators only (what umask 077 does on POSIX). Files in a
// folder with inherited access keep it; `check` warns about readable ones.
void make_new_files_private() {
  HANDLE token = nullptr;
  if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY | TOKEN_ADJUST_DEFAULT, &token)) return;
  PSECURITY_DESCRIPTOR sd = nullptr;
  // OW: owner rights, SY: SYSTEM, BA: built-in Administrators; full access.
  if (ConvertStringSecurityDescriptorToSecurityDescriptorW(L"D:P(A;;GA;;;OW)(A;;GA;;;SY)(A;;GA;;;BA)",
                                                           SDDL_REVISION_1, &sd, nullptr)) {
    BOOL present = FALSE, defaulted = FALSE;
    PACL dacl = nullptr;
    if (GetSecurityDescriptorDacl(sd, &present, &dacl, &defaulted) && present) {
      TOKEN_DEFAULT_DACL d{dacl};
      SetTokenInformation(token, TokenDefaultDacl, &d, sizeof d);
    }
    LocalFree(sd);
  }
  CloseHandle(token);
}

// True when the file's DACL lets anyone but its owner, SYSTEM or the
// Administrators read it (a NULL DACL lets everyone).
bool readable_by_others(const std::string& path) {
  PSID owner = nullptr;
  PACL dacl = nullptr;
  PSECURITY_DESCRIPTOR sd = nullptr;
  if (GetNamedSecurityInfoW(widen(path).c_str(), SE_FILE_OBJECT,
                            OWNER_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION, &owner,
                            nullptr, &dacl, nullptr, &sd) != ERROR_SUCCESS)
    return false;
  bool others = dacl == nullptr;
  BYTE system_sid[SECURITY_MAX_SID_SIZE], admins_sid[SECURITY_MAX_SID_SIZE],
      owner_rights[SECURITY_MAX_SID_SIZE];
  DWORD n1 = sizeof system_sid, n2 = sizeof admins_sid, n3 = sizeof owner_rights;
  CreateWellKnownSid(WinLocalSystemSid, nullptr, system_sid, &n1);
  CreateWellKnownSid(WinBuiltinAdministratorsSid, nullptr, admins_sid, &n2);
  CreateWellKnownSid(WinCreatorOwnerRightsSid, nullptr, owner_rights, &n3);
  for (DWORD i = 0; dacl && i < dacl->AceCount && !others; ++i) {
    void* ace = nullptr;
    if (!GetAce(dacl, i, &ace)) continue;
    auto* header = static_cast<ACE_HEADER*>(ace);
    if (header->AceType != ACCESS_ALLOWED_ACE_TYPE) continue;
    auto* allowed = static_cast<ACCESS_ALLOWED_ACE*>(ace);
    PSID sid = &allowed->SidStart;
    bool reads = (allowed->Mask & (FILE_READ_DATA | GENERIC_READ | GENERIC_ALL)) != 0;
    bool trusted = (owner && EqualSid(sid, owner)) || EqualSid(sid, system_sid) ||
                   EqualSid(sid, admins_sid) || EqualSid(sid, owner_rights);
    others = reads && !trusted;
  }
  LocalFree(sd);
  return others;
}

// ---- commands and the system log

Result<std::string> command_first_line(const std::string& command) {
  // _wpopen runs cmd.exe /c; the command is UTF-8 here, UTF-16 for Windows.
  std::FILE* p = _wpopen(widen(command).c_str(), L"rb");
  if (!p) {
    return fail(Code::CommandStart, "cannot run the command");
  }
  const std::string line = first_line_of(p);
  int status = _pclose(p);
  if (status != 0) {
    std::string how = status == -1 ? std::string("did not exit normally")
                                   : "exited with status " + std::to_string(status);
    return fail(Code::CommandFailed, "the command " + how);
  }
  if (line.empty())
    return fail(Code::CommandEmpty, "the command printed nothing");
  return line;
}

// The Windows Event Log (Application log, source "crm-router"); Event Viewer
// shows the text even where the source is not registered.
std::shared_ptr<spdlog::logger> system_logger(const std::string& name) {
  auto sink = std::make_shared<spdlog::sinks::win_eventlog_sink_mt>("crm-router");
  auto logger = std::make_shared<spdlog::logger>(name, sink);
  spdlog::register_logger(logger);
  return logger;
}

}  // namespace crmr::platform
