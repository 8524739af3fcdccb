#include "cli/commands/command_set.h"

#include <CLI/CLI.hpp>

#include "cli/context.h"
#include "cli/exit_codes.h"

namespace crmr {

CLI::App* CommandSet::add(CLI::App& parent, const std::string& name, const std::string& help,
                          Run run) {
  CLI::App* cmd = parent.add_subcommand(name, help);
  commands_.emplace_back(cmd, std::move(run));
  return cmd;
}

int CommandSet::run(Context& ctx) const {
  for (const auto& [cmd, run] : commands_)
    if (cmd->parsed()) return run(ctx);
  return kExitUsage;  // not reached: the app requires one command
}

void add_commands(CLI::App& app, CommandSet& set) {
  add_import_command(app, set);
  add_explain_command(app, set);
  add_cache_commands(app, set);
  add_report_command(app, set);
  add_run_command(app, set);
  add_check_command(app, set);
  add_push_command(app, set);
  add_sync_command(app, set);
  add_quarantine_commands(app, set);
  add_status_command(app, set);
  add_forget_command(app, set);
}

}  // namespace crmr
