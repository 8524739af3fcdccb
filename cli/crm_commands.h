// The CRM commands: `push` (deliver the outbox) and `sync` (fill the cache
// from the CRM), and the hook `run` and `import` call at the end of a batch.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/context.h"
#include "core/crm_sink.h"

namespace crmr {

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

// The CRM client for ctx.cfg.crm, with its secret read from the environment or
// the file the configuration names. Fails (Scope::Run) when [crm] is missing or
// the secret cannot be had.
Result<std::unique_ptr<CrmSink>> open_crm_sink(const Context& ctx);

// Push what is queued, as its own "push" run with its own report entries.
// Returns the exit code (kExitOk when nothing is queued). `store` is open
// read-write and the run lock is held by the caller.
int push_outbox(Context& ctx, Store& store, std::optional<std::uint64_t> limit = {});

// The end-of-batch hook of `run` and `import`: push_outbox when [crm] is
// configured, this is no dry run and `no_push` is false; else kExitOk. The
// result combines with the batch's exit code `batch_rc` (the worse one).
int push_after_batch(Context& ctx, Store& store, bool no_push, int batch_rc);

}  // namespace crmr
