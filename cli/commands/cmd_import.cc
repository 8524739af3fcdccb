// `import PATH...`: the pipeline over archived mail.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>
#include <memory>

#include "cli/commands/command_set.h"
#include "core/base/utf8_path.h"
#include "cli/cache_guard.h"
#include "cli/commands/commands.h"
#include "cli/commands/crm_commands.h"
#include "cli/dates.h"
#include "cli/exit_codes.h"
#include "cli/lock.h"
#include "cli/run_summary.h"
#include "cli/wiring.h"
#include "core/sources/open_source.h"

namespace crmr {
namespace {

namespace fs = std::filesystem;

// Bytes to read from `paths` when every one is a plain file or folder tree
// (0 when unknown: standard input or gzip, whose size says nothing). Only for
// the progress bar; costs a folder walk, so it is done only on a terminal.
std::uint64_t expected_input_bytes(const std::vector<std::string>& paths) {
  std::uint64_t total = 0;
  std::error_code ec;
  auto plain_file = [&](const fs::path& p) -> std::optional<std::uint64_t> {
    std::ifstream in(p, std::ios::binary);
    char magic[2] = {0, 0};
    in.read(magic, 2);
    if (magic[0] == '\x1f' && magic[1] == '\x8b') return std::nullopt;  // gzip
    auto n = fs::file_size(p, ec);
    return ec ? std::optional<std::uint64_t>() : n;
  };
  for (const auto& text : paths) {
    if (text == "-") return 0;
    const fs::path path = utf8_path(text);
    if (fs::is_directory(path, ec)) {
      for (auto it = fs::recursive_directory_iterator(path, ec); !ec && it != fs::end(it);
           it.increment(ec)) {
        if (!it->is_regular_file(ec)) continue;
        auto n = plain_file(it->path());
        if (!n) return 0;
        total += *n;
      }
    } else {
      auto n = plain_file(path);
      if (!n) return 0;
      total += *n;
    }
  }
  return total;
}

}  // namespace

int cmd_import(Context& ctx, const ImportOptions& o) {
  PipelineOptions po;
  po.dry_run = ctx.dry_run;
  po.forward_mailbox = o.forward_mailbox;
  po.limit = o.limit;
  po.limits = ctx.cfg.limits;
  po.policy = ctx.cfg.policy;
  po.jobs = jobs_or_cores(o.jobs, ctx.cfg.jobs);
  for (auto [text, into] : {std::pair{&o.since, &po.since}, std::pair{&o.until, &po.until}}) {
    if (text->empty()) continue;
    *into = parse_cli_date(*text);
    if (!*into) {
      ctx.out.error("not a date: '" + *text + "' (use YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ)");
      return kExitUsage;
    }
  }

  auto lock = lock_database(ctx);
  if (!lock) return lock.error();
  auto store = ctx.open_store();
  if (!store) return ctx.fail_with(store.error());
  auto guard = guard_routing(ctx, **store, "import");
  if (!guard) return guard.error();

  RunRecorder rec(ctx, **store, "import");
  if (!guard->empty()) rec.add_warning(*guard);
  if (auto s = rec.begin(); !s) return ctx.fail_with(s.error());
  if (ctx.out.progress_enabled()) rec.set_expected_bytes(expected_input_bytes(o.paths));

  auto owned = make_pipeline(**store, ctx.db_path, po, rec.run_id(), rec.sink());
  Pipeline& pipeline = *owned;
  SourceOptions so;
  so.max_message_bytes = po.limits.max_message_bytes;
  so.mbox_format = o.mbox_format;
  bool input_failed = false;
  for (const auto& path : o.paths) {
    if (pipeline.limit_reached()) break;
    std::error_code size_ec;
    if (path != "-" && fs::is_regular_file(utf8_path(path), size_ec) &&
        fs::file_size(utf8_path(path), size_ec) == 0 &&
        !size_ec)
      ctx.out.warn(path + ": empty, no messages");
    auto src = open_source(path, so);
    if (!src) {
      ctx.out.error(src.error().describe());
      input_failed = true;
      continue;
    }
    auto st = pipeline.run_source(**src, [&] { rec.progress(pipeline); });
    if (!st) {
      if (st.error().scope == Scope::Run) {
        rec.abort();
        return ctx.fail_with(st.error());
      }
      ctx.out.error(st.error().describe());
      input_failed = true;
    }
  }
  // One invocation, one report: the push records its outcomes in this run.
  int rc = finish_batch(ctx, **store, o.no_push, rec, pipeline);
  // An input that could not be read (7) wins over messages quarantined (1).
  return input_failed ? worse_exit_code(rc, kExitInput) : rc;
}

// --- its command line ---

void add_import_command(CLI::App& app, CommandSet& set) {
  auto o = std::make_shared<ImportOptions>();
  auto* c = set.add(app, "import", "Route archived mail: .eml, folders, Maildir, mbox, gzip, - for stdin",
                    [o](Context& ctx) {
                      ImportOptions opts = *o;
                      opts.forward_mailbox = opts.forward_mailbox || ctx.cfg.forward_mailbox;
                      return cmd_import(ctx, opts);
                    });
  c->add_option("paths", o->paths, "Files or folders (- = stdin)")->required();
  c->add_option("--since", o->since, "Only mail dated on/after DATE (YYYY-MM-DD[THH:MM:SSZ])");
  c->add_option("--until", o->until, "Only mail dated before DATE");
  c->add_option("--limit", o->limit, "Stop after N messages")->check(CLI::PositiveNumber);
  c->add_flag("--forward-mailbox", o->forward_mailbox,
              "Unwrap messages forwarded as attachments (forward mailbox)");
  c->add_option("--mbox-format", o->mbox_format, "mbox flavour: auto, mboxo, mboxrd, mboxcl2")
      ->check(CLI::IsMember({"auto", "mboxo", "mboxrd", "mboxcl2"}));
  c->add_option("--jobs", o->jobs, "Threads that parse and decide messages (default: one per core; 1: none)")
      ->check(CLI::Range(1, 256));
  c->add_flag("--no-push", o->no_push, "Only queue accepted mail; do not push to the CRM");
}

}  // namespace crmr
