// The CRM commands: `push` (deliver the outbox) and `sync` (fill the cache
// from the CRM), and the hook `run` and `import` call at the end of a batch.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/context.h"
#include "cli/wiring.h"
#include "core/crm_sink.h"
#include "storage/store.h"

namespace crmr {

class Pipeline;
class RunRecorder;

struct PushOptions {
  std::optional<std::uint64_t> limit;  // push at most this many messages
};
int cmd_push(Context& ctx, const PushOptions& o);

struct SyncOptions {
  bool full = false;                // ignore delta links and the watermark: read everything
  std::vector<std::string> only;    // entities to sync (default: all)
};
int cmd_sync(Context& ctx, const SyncOptions& o);

// The CRM part of `check` (check_crm.cc): token, WhoAmI, organisation
// settings, then the cache's freshness from `store` (when given). Returns the
// exit code: 0, 3 (the secret cannot be had) or 4 (the CRM refused or failed).
int check_crm(Context& ctx, const Store* store);

// Push what is queued, as its own "push" run with its own report entries.
// Returns the exit code (kExitOk when nothing is queued). `store` is open
// read-write and the run lock is held by the caller.
int push_outbox(Context& ctx, Store& store, std::optional<std::uint64_t> limit = {});

// Whether a batch (`run`, `import`, `quarantine retry`) pushes at its end:
// [crm] is configured, this is no dry run and `no_push` is false.
bool push_follows(const Context& ctx, bool no_push);

// The end-of-batch push of `run`, `import` and `quarantine retry`, when
// push_follows: delivers the outbox into the batch's own run `rec` (one
// invocation, one report: each message the batch queued gets the push's
// outcome in its entry; messages queued by earlier runs get entries after the
// batch's). Returns the push's exit code (kExitOk when there is no push), to be
// combined with the batch's (worse_exit_code); a push that cannot start (no
// CRM secret: 3) or stops (the CRM unreachable) marks `rec`'s run failed with
// why. An Error when the store failed (the caller aborts the run).
Result<int> push_after_batch(Context& ctx, Store& store, bool no_push, RunRecorder& rec);

// The end of a batch read by `p` into `rec`: push_after_batch, then close the
// run (summary, report file). Returns the worse of the batch's and the push's
// exit codes (worse_exit_code); when the store fails, the run is closed as
// failed with the error and its exit code is returned.
int finish_batch(Context& ctx, Store& store, bool no_push, RunRecorder& rec, const Pipeline& p);

}  // namespace crmr
