// The commands. Each takes the Context and its own options (filled by the
// add_*_command at the end of its file, see command_set.h) and returns an
// exit code (exit_codes.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cli/context.h"

namespace crmr {

struct ImportOptions {
  std::vector<std::string> paths;  // "-" is standard input
  std::string since;               // YYYY-MM-DD or ISO 8601 date-time (UTC)
  std::string until;
  std::optional<std::uint64_t> limit;
  bool forward_mailbox = false;
  std::string mbox_format = "auto";
  bool no_push = false;            // only queue, even when [crm] is configured
  std::optional<std::size_t> jobs; // --jobs N: parsing threads; unset: one per core
};
int cmd_import(Context& ctx, const ImportOptions& o);

struct ExplainOptions {
  std::string path;                       // FILE, FILE#N (message N of an mbox) or "-"
  std::optional<std::int64_t> quarantine; // instead of a path: a quarantine item's id
  bool ignore_ledger = false;             // decide as if the ledger did not hold it
  bool forward_mailbox = false;
  std::optional<std::uint64_t> limit;
};
int cmd_explain(Context& ctx, const ExplainOptions& o);

struct CacheImportOptions {
  std::string file;
  std::string entity;          // for CSV
  std::string format = "auto"; // auto, jsonl, csv
  std::int64_t batch = 0;      // rows per transaction; 0: the default (50,000)
};
int cmd_cache_import(Context& ctx, const CacheImportOptions& o);
int cmd_cache_stats(Context& ctx);

struct CachePruneOptions {
  std::int64_t days = 0;       // look-back window in days; 0: [crm] tracked_days
};
int cmd_cache_prune(Context& ctx, const CachePruneOptions& o);

struct ReportOptions {
  std::int64_t run = 0;        // 0: the latest run
  std::string format;          // text, json, csv, html (default: text, or from --output)
  std::string output;          // file; empty: stdout
  bool list = false;           // list the runs instead
};
int cmd_report(Context& ctx, const ReportOptions& o);

// `status` (cmd_status.cc): for monitoring; exit 0 OK, 1 WARNING, 2 CRITICAL.
struct StatusOptions {
  bool json = false;
  std::int64_t cache_warning_hours = -1;   // the cache older than this: warning (-1: [cache] max_age_hours)
  std::int64_t cache_critical_hours = 72;  // ...than this: critical
};
int cmd_status(Context& ctx, const StatusOptions& o);

// `quarantine list|export|retry` (cmd_quarantine.cc). Items are named by the
// ids `list` prints, or all of them; an unknown id is a usage error (2).
struct QuarantineSelection {
  std::vector<std::int64_t> ids;
  bool all = false;
};
struct QuarantineListOptions {
  bool json = false;
};
int cmd_quarantine_list(Context& ctx, const QuarantineListOptions& o);
struct QuarantineExportOptions {
  QuarantineSelection which;
  std::string to;                  // folder; DIR/<id>.eml, never overwritten
};
int cmd_quarantine_export(Context& ctx, const QuarantineExportOptions& o);
struct QuarantineRetryOptions {
  QuarantineSelection which;
  bool forward_mailbox = false;    // unwrap (as import) what could not be parsed
  bool no_push = false;            // only queue, even when [crm] is configured
};
int cmd_quarantine_retry(Context& ctx, const QuarantineRetryOptions& o);

// `forget` (cmd_forget.cc): take ledger rows out so that the mail is decided
// afresh. Selectors narrow each other; at least one is needed (else usage 2).
// Tossed and duplicate rows go; pushed and queued ones only with `force`;
// quarantined and failed ones never (`quarantine retry`). --dry-run lists.
struct ForgetOptions {
  std::optional<std::int64_t> run;        // the run that first recorded the key
  std::vector<std::string> outcomes;
  std::vector<std::string> reasons;
  std::vector<std::string> message_ids;   // with or without angle brackets
  std::vector<std::string> keys;
  bool force = false;
};
int cmd_forget(Context& ctx, const ForgetOptions& o);

}  // namespace crmr
