// The command line's commands. Each command adds itself to the CLI11 app in
// its own file (add_*_command, beside what it does), with its options and the
// function that runs it; run_app parses, builds the Context and runs the
// command that was named.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace CLI {
class App;
}

namespace crmr {

struct Context;

class CommandSet {
 public:
  using Run = std::function<int(Context&)>;

  // Adds subcommand `name` to `parent` (the app, or a group such as `cache`);
  // `run` is called by run() when it is the command given.
  CLI::App* add(CLI::App& parent, const std::string& name, const std::string& help, Run run);
  // Runs the command that was parsed and returns its exit code.
  int run(Context& ctx) const;

 private:
  std::vector<std::pair<CLI::App*, Run>> commands_;
};

// Every command, in the order --help lists them.
void add_commands(CLI::App& app, CommandSet& set);

void add_import_command(CLI::App& app, CommandSet& set);
void add_explain_command(CLI::App& app, CommandSet& set);
void add_cache_commands(CLI::App& app, CommandSet& set);
void add_report_command(CLI::App& app, CommandSet& set);
void add_run_command(CLI::App& app, CommandSet& set);
void add_check_command(CLI::App& app, CommandSet& set);
void add_push_command(CLI::App& app, CommandSet& set);
void add_sync_command(CLI::App& app, CommandSet& set);
void add_quarantine_commands(CLI::App& app, CommandSet& set);
void add_status_command(CLI::App& app, CommandSet& set);
void add_forget_command(CLI::App& app, CommandSet& set);

}  // namespace crmr
