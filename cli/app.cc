#include "cli/app.h"

#include <CLI/CLI.hpp>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <iostream>

#include "cli/commands/command_set.h"
#include "cli/context.h"
#include "cli/exit_codes.h"
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
  // Options are --name and -n on every platform. CLI11 also takes /name on
  // Windows by default, which would make an absolute path such as
  // /archive/in.mbox (a path to Wine, or to Windows on the current drive) an option.
  app.allow_windows_style_options(false);
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

  CommandSet commands;
  add_commands(app, commands);

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

  const int rc = commands.run(ctx);
  spdlog::default_logger()->flush();
  spdlog::drop_all();
  return rc;
}

}  // namespace crmr
