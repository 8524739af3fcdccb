// `import PATH...`: the pipeline over archived mail.
#include <chrono>
#include <sstream>

#include "cli/commands.h"
#include "cli/crm_commands.h"
#include "cli/dates.h"
#include "cli/exit_codes.h"
#include "cli/lock.h"
#include "cli/pipeline.h"
#include "cli/run_summary.h"
#include "core/sources/open_source.h"

namespace crmr {

int cmd_import(Context& ctx, const ImportOptions& o) {
  PipelineOptions po;
  po.dry_run = ctx.dry_run;
  po.forward_mailbox = o.forward_mailbox;
  po.limit = o.limit;
  po.limits = ctx.cfg.limits;
  po.policy = ctx.cfg.policy;
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

  RunRecorder rec(ctx, **store, "import");
  if (auto s = rec.begin(); !s) return ctx.fail_with(s.error());

  Pipeline pipeline(**store, po, rec.run_id(), rec.sink());
  SourceOptions so;
  so.max_message_bytes = po.limits.max_message_bytes;
  so.mbox_format = o.mbox_format;
  bool input_failed = false;
  for (const auto& path : o.paths) {
    if (pipeline.limit_reached()) break;
    auto src = open_source(path, so);
    if (!src) {
      ctx.out.error(src.error().describe());
      input_failed = true;
      continue;
    }
    auto st = pipeline.run_source(**src, [&] { rec.progress(pipeline); });
    if (!st) {
      if (st.error().scope == Scope::Run) {
        rec.abort(pipeline);
        return ctx.fail_with(st.error());
      }
      ctx.out.error(st.error().describe());
      input_failed = true;
    }
  }
  int rc = rec.finish(pipeline, input_failed);
  return push_after_batch(ctx, **store, o.no_push, rc);
}

}  // namespace crmr
