#include "cli/app.h"

#include <CLI/CLI.hpp>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <iostream>

#include "cli/commands/commands.h"
#include "cli/commands/crm_commands.h"
#include "cli/exit_codes.h"
#include "cli/commands/mailbox_commands.h"
#include "cli/platform.h"

namespace crmr {
namespace {

struct Globals {
  std::string config;
  std::string db;
  std::string report;
  std::string log_file;
  std::string trace_file;
  bool dry_run = false;
  int verbose = 0;
  bool quiet = false;
  bool no_progress = false;
};

// Logs go to a rotating file when configured, else to stderr. Never to
// stdout: that is the report's. Returns true when the log is a file or
// syslog: then every error and warning shown on stderr is logged there too.
bool setup_logging(const Globals& g, const Config& cfg) {
  std::string file = g.log_file.empty() ? cfg.log_file : g.log_file;
  std::shared_ptr<spdlog::logger> logger;
  bool to_log = false;  // a file or syslog, not stderr
  try {
    if (file == "syslog") {
      logger = platform::system_logger("crm-router");
      to_log = logger != nullptr;
      if (!logger) logger = spdlog::stderr_color_mt("crm-router");
    } else if (!file.empty()) {
      logger = spdlog::rotating_logger_mt("crm-router", file, 5 * 1024 * 1024, 3);
      to_log = true;
    } else {
      logger = spdlog::stderr_color_mt("crm-router");
    }
  } catch (const spdlog::spdlog_ex& e) {
    to_log = false;
    logger = spdlog::stderr_color_mt("crm-router-fallback");
    logger->error("cannot open log file {}: {}", file, e.what());
  }
  // log_level applies to the log file. On stderr the summary already lists
  // problem messages, so only errors are logged there unless -v is given.
  auto level = file.empty() ? spdlog::level::err : spdlog::level::from_str(cfg.log_level);
  if (g.verbose >= 2) level = spdlog::level::debug;
  else if (g.verbose == 1 && level > spdlog::level::info) level = spdlog::level::info;
  logger->set_level(level);
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(logger);
  return to_log;
}

}  // namespace

int run_app(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  CLI::App app{"crm-router: routes inbound e-mail into the CRM as activities", "crm-router"};
  app.set_version_flag("--version", std::string("crm-router ") + CRMR_VERSION);
  app.require_subcommand(1);
  app.fallthrough();

  Globals g;
  app.add_option("--config", g.config, "Configuration file (TOML)");
  app.add_option("--db", g.db, "State and cache database (SQLite)");
  app.add_option("--report", g.report, "Write the report to FILE (.json .csv .html .txt)");
  app.add_option("--log-file", g.log_file, "Write logs to FILE (rotating)");
  app.add_flag("--dry-run", g.dry_run, "Decide and report; write nothing anywhere");
  app.add_flag("-v,--verbose", g.verbose, "More output (repeat for debug logs)");
  app.add_flag("-q,--quiet", g.quiet, "Print nothing when all is well");
  app.add_flag("--no-progress", g.no_progress, "No progress bar");
  app.add_option("--trace", g.trace_file,
                 "Write the IMAP/POP3 conversation to FILE, passwords and tokens masked (for the server's support)");

  ImportOptions imp;
  auto* import_cmd = app.add_subcommand("import", "Route archived mail: .eml, folders, Maildir, mbox, gzip, - for stdin");
  import_cmd->add_option("paths", imp.paths, "Files or folders (- = stdin)")->required();
  import_cmd->add_option("--since", imp.since, "Only mail dated on/after DATE (YYYY-MM-DD[THH:MM:SSZ])");
  import_cmd->add_option("--until", imp.until, "Only mail dated before DATE");
  import_cmd->add_option("--limit", imp.limit, "Stop after N messages")->check(CLI::PositiveNumber);
  import_cmd->add_flag("--forward-mailbox", imp.forward_mailbox,
                       "Unwrap messages forwarded as attachments (forward mailbox)");
  import_cmd->add_option("--mbox-format", imp.mbox_format, "mbox flavour: auto, mboxo, mboxrd, mboxcl2")
      ->check(CLI::IsMember({"auto", "mboxo", "mboxrd", "mboxcl2"}));
  import_cmd->add_option("--jobs", imp.jobs, "Threads that parse and decide messages (default: one per core; 1: none)")
      ->check(CLI::Range(1, 256));

  ExplainOptions exp;
  auto* explain_cmd = app.add_subcommand("explain", "Show a message as parsed and every step of its decision");
  explain_cmd->add_option("file", exp.path, "A message file, an mbox, FILE#N (message N of an mbox), - = stdin");
  explain_cmd->add_option("--quarantine", exp.quarantine, "Explain a quarantine item (by id) instead of a file")
      ->check(CLI::PositiveNumber);
  explain_cmd->add_flag("--ignore-ledger", exp.ignore_ledger,
                        "Decide as if the message was never processed (and say so)");
  explain_cmd->add_flag("--forward-mailbox", exp.forward_mailbox, "Unwrap a forwarded-as-attachment message");
  explain_cmd->add_option("--limit", exp.limit, "Explain at most N messages")->check(CLI::PositiveNumber);

  auto* cache_cmd = app.add_subcommand("cache", "The local cache of CRM records");
  cache_cmd->require_subcommand(1);
  CacheImportOptions ci;
  auto* cache_import = cache_cmd->add_subcommand("import", "Load records from JSON Lines or CSV");
  cache_import->add_option("file", ci.file, "JSON Lines or CSV file")->required();
  cache_import->add_option("--entity", ci.entity, "Entity of every CSV row (contact, account, ...)")
      ->check(CLI::IsMember({"organization", "systemuser", "queue", "contact", "account", "lead", "email"}));
  cache_import->add_option("--format", ci.format, "auto, jsonl or csv")
      ->check(CLI::IsMember({"auto", "jsonl", "csv"}));
  cache_import->add_option("--batch", ci.batch, "Rows per transaction (default 50000); a crash keeps the committed ones")
      ->check(CLI::PositiveNumber);
  auto* cache_stats = cache_cmd->add_subcommand("stats", "Count what the cache holds");
  CachePruneOptions cp;
  auto* cache_prune = cache_cmd->add_subcommand(
      "prune", "Remove tracked e-mails older than the look-back window and reclaim the space");
  cache_prune->add_option("--days", cp.days, "Look-back window in days (default: [crm] tracked_days, 365)")
      ->check(CLI::PositiveNumber);

  ReportOptions rep;
  auto* report_cmd = app.add_subcommand("report", "Print or export the report of an earlier run");
  report_cmd->add_option("--run", rep.run, "Run id (default: the latest)");
  report_cmd->add_option("--format", rep.format, "text, json, csv or html")
      ->check(CLI::IsMember({"text", "json", "csv", "html"}));
  report_cmd->add_option("-o,--output", rep.output, "Write to FILE instead of stdout");
  report_cmd->add_flag("--list", rep.list, "List the recorded runs");

  RunOptions run_opts;
  auto* run_cmd = app.add_subcommand("run", "One batch from every configured mailbox: fetch, route, dispose, report");
  run_cmd->add_option("--mailbox", run_opts.mailboxes, "Only this mailbox (by name; repeatable)");
  run_cmd->add_option("--limit", run_opts.limit, "Stop after N messages in this run")->check(CLI::PositiveNumber);
  run_cmd->add_flag("--no-push", run_opts.no_push, "Only queue accepted mail; do not push to the CRM");
  run_cmd->add_flag("--once", run_opts.once,
                    "Read the folders from their start without using or moving the cursor; leave every message where it is");
  run_cmd->add_option("--folder", run_opts.folder, "With --once: read this folder instead of the configured ones (IMAP)");
  run_cmd->add_option("--jobs", run_opts.jobs, "Threads that parse and decide messages (default: one per core; 1: none)")
      ->check(CLI::Range(1, 256));

  CheckOptions check_opts;
  auto* check_cmd = app.add_subcommand("check", "Test access: connect and log in to every mailbox, show what the next run fetches");
  check_cmd->add_option("--mailbox", check_opts.mailboxes, "Only this mailbox (by name; repeatable)");

  PushOptions push_opts;
  auto* push_cmd = app.add_subcommand("push", "Deliver what is queued in the outbox to the CRM");
  push_cmd->add_option("--limit", push_opts.limit, "Push at most N messages")->check(CLI::PositiveNumber);
  import_cmd->add_flag("--no-push", imp.no_push, "Only queue accepted mail; do not push to the CRM");

  SyncOptions sync_opts;
  auto* sync_cmd = app.add_subcommand("sync", "Refresh the cache from the CRM (incremental after the first run)");
  sync_cmd->add_flag("--full", sync_opts.full, "Read everything again (ignore delta links and the watermark)");
  sync_cmd->add_option("--only", sync_opts.only,
                       "Only these: organization systemuser queue contact account lead email (repeatable)");

  auto* quarantine_cmd = app.add_subcommand("quarantine", "See, retry or export messages that failed for good");
  quarantine_cmd->require_subcommand(1);
  QuarantineListOptions ql;
  auto* quarantine_list = quarantine_cmd->add_subcommand("list", "One line per quarantined message: id, when, where from, Message-ID, error");
  quarantine_list->add_flag("--json", ql.json, "One JSON document, for machines");
  QuarantineExportOptions qe;
  auto* quarantine_export = quarantine_cmd->add_subcommand("export", "Write messages as they were received to DIR/<id>.eml");
  quarantine_export->add_option("ids", qe.which.ids, "Item ids (from quarantine list)")->check(CLI::PositiveNumber);
  quarantine_export->add_flag("--all", qe.which.all, "Every quarantined message");
  quarantine_export->add_option("--to", qe.to, "Folder to write to (made if missing; files are never overwritten)")
      ->required();
  QuarantineRetryOptions qr;
  auto* quarantine_retry = quarantine_cmd->add_subcommand("retry", "Route messages again against the current cache; push them unless --no-push");
  quarantine_retry->add_option("ids", qr.which.ids, "Item ids (from quarantine list)")->check(CLI::PositiveNumber);
  quarantine_retry->add_flag("--all", qr.which.all, "Every quarantined message");
  quarantine_retry->add_flag("--forward-mailbox", qr.forward_mailbox,
                             "Unwrap messages forwarded as attachments (as import --forward-mailbox)");
  quarantine_retry->add_flag("--no-push", qr.no_push, "Only queue accepted mail; do not push to the CRM");

  StatusOptions status_opts;
  auto* status_cmd = app.add_subcommand("status", "For monitoring: last runs, outbox, quarantine, cache age; exit 0 ok, 1 warning, 2 critical");
  status_cmd->add_flag("--json", status_opts.json, "One JSON document, for machines");
  status_cmd->add_option("--cache-warning-hours", status_opts.cache_warning_hours,
                         "Warn when the last successful sync is this old (default: [cache] max_age_hours, 24)")->check(CLI::PositiveNumber);
  status_cmd->add_option("--cache-critical-hours", status_opts.cache_critical_hours,
                         "Critical when the last successful sync is this old (default 72)")->check(CLI::PositiveNumber);

  ForgetOptions fo;
  auto* forget_cmd = app.add_subcommand("forget", "Take messages out of the ledger so that they are routed afresh");
  forget_cmd->add_option("--run", fo.run, "Messages first recorded by run ID (see report --list)")
      ->check(CLI::PositiveNumber);
  forget_cmd->add_option("--outcome", fo.outcomes, "Only this outcome (repeatable): tossed duplicate pushed queued")
      ->check(CLI::IsMember({"tossed", "duplicate", "pushed", "queued", "quarantined", "failed"}));
  forget_cmd->add_option("--reason", fo.reasons, "Only this reason code (repeatable), e.g. NoRecipientMatch");
  forget_cmd->add_option("--message-id", fo.message_ids, "This Message-ID (repeatable)");
  forget_cmd->add_option("--key", fo.keys, "This message key, as the report shows it (repeatable)");
  forget_cmd->add_flag("--force", fo.force, "Also forget pushed and queued messages (see crm-router(1))");

  // (Further commands: add their CLI11 block above this line, one block per command.)

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    out << app.help();
    return kExitOk;
  } catch (const CLI::CallForVersion& e) {
    out << e.what() << '\n';
    return kExitOk;
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) {
      out << app.help();
      return kExitOk;
    }
    err << "crm-router: " << e.what() << "\n(see crm-router --help)\n";
    return kExitUsage;
  }

  if (g.quiet && g.verbose > 0) {
    err << "crm-router: -q and -v cannot be used together\n";
    return kExitUsage;
  }
  bool explicit_config = !g.config.empty();
  std::string config_path = explicit_config ? g.config : platform::default_config_path();
  auto cfg = load_config(config_path, explicit_config);
  if (!cfg) {
    err << "crm-router: " << cfg.error().describe() << '\n';
    return kExitConfig;
  }
  const bool logged = setup_logging(g, *cfg);

  bool progress = !g.no_progress && cfg->progress && !g.quiet &&
                  platform::is_terminal(stderr) && &err == &std::cerr;
  Output output(out, err, g.quiet ? -1 : g.verbose, progress);
  if (logged)
    output.set_log([](bool warning, const std::string& line) {
      if (warning) spdlog::warn("{}", line);
      else spdlog::error("{}", line);
    });
  Context ctx{
      .out = output,
      .cfg = *cfg,
      .db_path = !g.db.empty() ? g.db : (!cfg->db.empty() ? cfg->db : platform::default_db_path()),
      .report_path = !g.report.empty() ? g.report : cfg->report,
      .dry_run = g.dry_run,
      .trace = nullptr,
  };

  if (!g.trace_file.empty()) {
    try {
      ctx.trace = spdlog::basic_logger_mt("crm-router-trace", g.trace_file, true);
    } catch (const spdlog::spdlog_ex& e) {
      err << "crm-router: cannot write the trace file " << g.trace_file << ": " << e.what() << '\n';
      return kExitUsage;
    }
    ctx.trace->set_pattern("%Y-%m-%d %H:%M:%S.%e %v");
    ctx.trace->set_level(spdlog::level::debug);
    ctx.trace->flush_on(spdlog::level::debug);
  } else if (g.verbose >= 2) {
    ctx.trace = spdlog::default_logger();  // -vv: the conversation goes to the debug log
  }

  int rc = kExitOk;
  if (import_cmd->parsed()) {
    imp.forward_mailbox = imp.forward_mailbox || cfg->forward_mailbox;
    rc = cmd_import(ctx, imp);
  } else if (explain_cmd->parsed()) {
    rc = cmd_explain(ctx, exp);
  } else if (cache_import->parsed()) {
    rc = cmd_cache_import(ctx, ci);
  } else if (cache_stats->parsed()) {
    rc = cmd_cache_stats(ctx);
  } else if (cache_prune->parsed()) {
    rc = cmd_cache_prune(ctx, cp);
  } else if (report_cmd->parsed()) {
    rc = cmd_report(ctx, rep);
  }
  else if (run_cmd->parsed()) {
    rc = cmd_run(ctx, run_opts);
  } else if (check_cmd->parsed()) {
    rc = cmd_check(ctx, check_opts);
  }
  else if (push_cmd->parsed()) {
    rc = cmd_push(ctx, push_opts);
  } else if (sync_cmd->parsed()) {
    rc = cmd_sync(ctx, sync_opts);
  }
  else if (quarantine_list->parsed()) {
    rc = cmd_quarantine_list(ctx, ql);
  } else if (quarantine_export->parsed()) {
    rc = cmd_quarantine_export(ctx, qe);
  } else if (quarantine_retry->parsed()) {
    rc = cmd_quarantine_retry(ctx, qr);
  }
  else if (status_cmd->parsed()) {
    rc = cmd_status(ctx, status_opts);
  }
  else if (forget_cmd->parsed()) {
    rc = cmd_forget(ctx, fo);
  }
  // (Further commands: add their dispatch branch above this line.)
  spdlog::default_logger()->flush();
  spdlog::drop_all();
  return rc;
}

}  // namespace crmr
