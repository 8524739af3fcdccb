// The commands. Each takes the Context and its own options (filled by the
// CLI11 wiring in app.cc) and returns an exit code (exit_codes.h).
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
};
int cmd_import(Context& ctx, const ImportOptions& o);

struct ExplainOptions {
  std::string path;
  bool forward_mailbox = false;
  std::optional<std::uint64_t> limit;
};
int cmd_explain(Context& ctx, const ExplainOptions& o);

struct CacheImportOptions {
  std::string file;
  std::string entity;          // for CSV
  std::string format = "auto"; // auto, jsonl, csv
};
int cmd_cache_import(Context& ctx, const CacheImportOptions& o);
int cmd_cache_stats(Context& ctx);

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

}  // namespace crmr
