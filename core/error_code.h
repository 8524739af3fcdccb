// The error codes of crm-router, one table: each code's stable string (the
// name users, logs and tests read; it never changes), its default scope and
// retry class (what fail(code, message) gives an Error unless the call says
// otherwise), and the exit code it implies (kExitFromScope: the one its
// Error's scope implies, see exit_code_for).
#pragma once

#include <cstddef>
#include <string_view>

namespace crmr {

// How far a failure reaches: the pipeline reads this to decide what to skip.
enum class Scope { Message, Mailbox, Account, Run };

// Whether retrying can help: now (same run), later (next run), never.
enum class Retry { Now, Later, Never };

// Exit status of crm-router: one meaning per code. The same table
// is in README.md ("Exit status") and crm-router(1) (EXIT STATUS). `status`
// follows the monitoring conventions instead (0/1/2) and is documented apart.
enum ExitCode : int {
  kExitOk = 0,             // everything asked for was done
  kExitPartial = 1,        // some messages quarantined or failed, or bad lines of a
                           // cache file skipped; the rest was processed
  kExitUsage = 2,          // bad command line: unknown command or option, bad value,
                           // an id or run number that does not exist
  kExitConfig = 3,         // bad configuration: the file, an option value, or a secret
                           // it names that cannot be read (variable unset, file unreadable)
  kExitUnreachable = 4,    // a mailbox or the CRM unreachable, or its login refused
  kExitBusy = 5,           // another run holds the lock: retry later
  kExitStorage = 6,        // the state database cannot be used: missing (for a command
                           // that only reads it), not a database, corrupt, read-only,
                           // failing while read or written
  kExitInput = 7,          // an input named on the command line cannot be read
                           // (import PATH, explain FILE, cache import FILE)
  kExitCacheNotReady = 8,  // the cache cannot decide (no organisation settings, or no
                           // active system user or queue): nothing was routed; fill it
                           // with `sync` or `cache import`
};

// In the table: the code does not choose the exit code, its Error's scope does
// (run: 6, mailbox or account: 4, message: 1).
inline constexpr int kExitFromScope = -1;

// X(enumerator, stable string, default scope, default retry, exit code)
#define CRMR_ERROR_CODES(X) \
  X(AuthCertificate,       "auth.certificate",        Run,     Never, kExitFromScope) \
  X(CacheFailed,           "cache.failed",            Run,     Never, kExitFromScope) \
  X(CommandEmpty,          "command.empty",           Mailbox, Later, kExitFromScope) \
  X(CommandFailed,         "command.failed",          Mailbox, Later, kExitFromScope) \
  X(CommandStart,          "command.start",           Mailbox, Later, kExitFromScope) \
  X(ConfigFirstRun,        "config.first_run",        Mailbox, Never, kExitConfig) \
  X(ConfigInvalid,         "config.invalid",          Run,     Never, kExitConfig) \
  X(ConfigMissing,         "config.missing",          Run,     Never, kExitConfig) \
  X(ConfigSecret,          "config.secret",           Run,     Never, kExitConfig) \
  X(CrmAuth,               "crm.auth",                Run,     Never, kExitUnreachable) \
  X(CrmBadOutbox,          "crm.bad_outbox",          Message, Never, kExitUnreachable) \
  X(CrmBadResponse,        "crm.bad_response",        Message, Later, kExitUnreachable) \
  X(CrmConfig,             "crm.config",              Run,     Never, kExitConfig) \
  X(CrmCurlInit,           "crm.curl_init",           Run,     Never, kExitUnreachable) \
  X(CrmDeclined,           "crm.declined",            Message, Never, kExitUnreachable) \
  X(CrmNetwork,            "crm.network",             Run,     Later, kExitUnreachable) \
  X(CrmRejected,           "crm.rejected",            Message, Never, kExitUnreachable) \
  X(CrmSecret,             "crm.secret",              Run,     Never, kExitConfig) \
  X(CrmStopped,            "crm.stopped",             Run,     Later, kExitUnreachable) \
  X(CrmThrottled,          "crm.throttled",           Message, Later, kExitUnreachable) \
  X(CrmTimeout,            "crm.timeout",             Message, Now,   kExitUnreachable) \
  X(CrmTls,                "crm.tls",                 Run,     Never, kExitUnreachable) \
  X(CrmUnavailable,        "crm.unavailable",         Message, Now,   kExitUnreachable) \
  X(CrmUnreachable,        "crm.unreachable",         Run,     Later, kExitUnreachable) \
  X(ImportBadRow,          "import.bad_row",          Message, Never, kExitFromScope) \
  X(ImportCannotRead,      "import.cannot_read",      Run,     Never, kExitInput) \
  X(ImportCsvEntity,       "import.csv_entity",       Run,     Never, kExitUsage) \
  X(ImportUnknownEntity,   "import.unknown_entity",   Run,     Never, kExitUsage) \
  X(MailboxAuth,           "mailbox.auth",            Mailbox, Never, kExitFromScope) \
  X(MailboxBadId,          "mailbox.bad_id",          Message, Never, kExitFromScope) \
  X(MailboxClosed,         "mailbox.closed",          Mailbox, Later, kExitFromScope) \
  X(MailboxCommand,        "mailbox.command",         Mailbox, Later, kExitFromScope) \
  X(MailboxConnect,        "mailbox.connect",         Mailbox, Later, kExitFromScope) \
  X(MailboxCurlInit,       "mailbox.curl_init",       Run,     Never, kExitFromScope) \
  X(MailboxFolder,         "mailbox.folder",          Mailbox, Never, kExitFromScope) \
  X(MailboxFolderName,     "mailbox.folder_name",     Mailbox, Never, kExitFromScope) \
  X(MailboxInUse,          "mailbox.in_use",          Mailbox, Later, kExitFromScope) \
  X(MailboxLimitReached,   "mailbox.limit_reached",   Mailbox, Later, kExitFromScope) \
  X(MailboxLoginDelay,     "mailbox.login_delay",     Mailbox, Later, kExitFromScope) \
  X(MailboxNetwork,        "mailbox.network",         Mailbox, Later, kExitFromScope) \
  X(MailboxProtocol,       "mailbox.protocol",        Mailbox, Later, kExitFromScope) \
  X(MailboxSecret,         "mailbox.secret",          Mailbox, Never, kExitConfig) \
  X(MailboxTimeout,        "mailbox.timeout",         Mailbox, Later, kExitFromScope) \
  X(MailboxTls,            "mailbox.tls",             Mailbox, Never, kExitFromScope) \
  X(MailboxUnavailable,    "mailbox.unavailable",     Mailbox, Later, kExitFromScope) \
  X(MailboxUnsupported,    "mailbox.unsupported",     Mailbox, Never, kExitFromScope) \
  X(MailboxUrl,            "mailbox.url",             Mailbox, Never, kExitFromScope) \
  X(ParseEmpty,            "parse.empty",             Message, Never, kExitFromScope) \
  X(ParseNotAMessage,      "parse.not_a_message",     Message, Never, kExitFromScope) \
  X(ParseTooLarge,         "parse.too_large",         Message, Never, kExitFromScope) \
  X(QuarantineExport,      "quarantine.export",       Run,     Never, kExitFromScope) \
  X(QueueException,        "queue.exception",         Run,     Never, kExitFromScope) \
  X(QueueReentrant,        "queue.reentrant",         Run,     Never, kExitFromScope) \
  X(ReportBadJson,         "report.bad_json",         Run,     Never, kExitFromScope) \
  X(ReportFormat,          "report.format",           Run,     Never, kExitFromScope) \
  X(ReportWrite,           "report.write",            Run,     Never, kExitFromScope) \
  X(RunException,          "run.exception",           Run,     Never, kExitFromScope) \
  X(RunStopped,            "run.stopped",             Run,     Later, kExitFromScope) \
  X(SourceBadMboxFormat,   "source.bad_mbox_format",  Run,     Never, kExitFromScope) \
  X(SourceGzipCorrupt,     "source.gzip_corrupt",     Mailbox, Never, kExitFromScope) \
  X(SourceGzipError,       "source.gzip_error",       Mailbox, Never, kExitFromScope) \
  X(SourceGzipTruncated,   "source.gzip_truncated",   Mailbox, Never, kExitFromScope) \
  X(SourceMessageTooLarge, "source.message_too_large",Message, Never, kExitFromScope) \
  X(SourceNoFromLine,      "source.no_from_line",     Mailbox, Never, kExitFromScope) \
  X(SourceNotFound,        "source.not_found",        Mailbox, Never, kExitFromScope) \
  X(SourceReadError,       "source.read_error",       Mailbox, Never, kExitFromScope) \
  X(SourceUnknownContent,  "source.unknown_content",  Mailbox, Never, kExitFromScope) \
  X(SourceUnreadable,      "source.unreadable",       Mailbox, Later, kExitFromScope) \
  X(StoreBusy,             "store.busy",              Run,     Later, kExitFromScope) \
  X(StoreCannotOpen,       "store.cannot_open",       Run,     Never, kExitFromScope) \
  X(StoreChanged,          "store.changed",           Run,     Later, kExitFromScope) \
  X(StoreConstraint,       "store.constraint",        Run,     Never, kExitFromScope) \
  X(StoreCorrupt,          "store.corrupt",           Run,     Never, kExitFromScope) \
  X(StoreDiskFull,         "store.disk_full",         Run,     Later, kExitFromScope) \
  X(StoreInvalidRecord,    "store.invalid_record",    Message, Never, kExitFromScope) \
  X(StoreIoError,          "store.io_error",          Run,     Never, kExitFromScope) \
  X(StoreMissing,          "store.missing",           Run,     Never, kExitFromScope) \
  X(StoreMisuse,           "store.misuse",            Run,     Never, kExitFromScope) \
  X(StoreNoDirectory,      "store.no_directory",      Run,     Never, kExitFromScope) \
  X(StoreNotADatabase,     "store.not_a_database",    Run,     Never, kExitFromScope) \
  X(StoreNotFound,         "store.not_found",         Run,     Never, kExitUsage) \
  X(StorePermission,       "store.permission",        Run,     Never, kExitFromScope) \
  X(StoreReadOnly,         "store.read_only",         Run,     Never, kExitFromScope) \
  X(StoreReadOnlyFile,     "store.read_only_file",    Run,     Never, kExitFromScope) \
  X(StoreSchemaNewer,      "store.schema_newer",      Run,     Never, kExitFromScope) \
  X(StoreSqlite,           "store.sqlite",            Run,     Never, kExitFromScope) \
  X(TnefNotTnef,           "tnef.not_tnef",           Message, Never, kExitFromScope) \
  X(TnefRtfShort,          "tnef.rtf_short",          Message, Never, kExitFromScope) \
  X(TnefRtfSize,           "tnef.rtf_size",           Message, Never, kExitFromScope) \
  X(TnefRtfType,           "tnef.rtf_type",           Message, Never, kExitFromScope)

enum class Code {
#define CRMR_ERROR_CODE_ENUMERATOR(name, text, scope, retry, exit) name,
  CRMR_ERROR_CODES(CRMR_ERROR_CODE_ENUMERATOR)
#undef CRMR_ERROR_CODE_ENUMERATOR
};

// One row of the table.
struct CodeInfo {
  std::string_view name;  // the stable string, e.g. "parse.not_a_message"
  Scope scope;            // default scope
  Retry retry;            // default retry class
  int exit_code;          // an ExitCode, or kExitFromScope
};

inline constexpr CodeInfo kCodeTable[] = {
#define CRMR_ERROR_CODE_ROW(name, text, scope, retry, exit) {text, Scope::scope, Retry::retry, exit},
    CRMR_ERROR_CODES(CRMR_ERROR_CODE_ROW)
#undef CRMR_ERROR_CODE_ROW
};

constexpr const CodeInfo& code_info(Code c) { return kCodeTable[static_cast<std::size_t>(c)]; }

// The code's stable string, e.g. "store.busy".
constexpr std::string_view code_name(Code c) { return code_info(c).name; }

}  // namespace crmr
