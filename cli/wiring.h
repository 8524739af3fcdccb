// The composition root: the one place that names the concrete classes behind
// the engine's ports (core/run_journal.h, core/state_store.h,
// core/cache_reader.h, core/seen_keys.h) and the CRM's interfaces
// (core/crm_sink.h, core/crm_reader.h), and hands them to the engine
// (core/engine): storage's Store, its on-disk key sets, the log as the
// pipeline's events, the Dataverse client with its [crm] secret. Commands
// build their pipelines and CRM clients here.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "cli/context.h"
#include "core/crm_reader.h"
#include "core/crm_sink.h"
#include "core/engine/pipeline.h"
#include "core/engine/worker_cache.h"
#include "storage/store.h"

namespace crmr {

// What the pipeline needs besides its store: dry-run keys on disk (constant
// memory for any archive size) and its events written to the log.
PipelineServices pipeline_services();

// A pipeline that decides against `store` and records in it, with
// pipeline_services(); with jobs > 1 its workers decide too, each on a
// read-only connection of its own to the database at `db_path` (none for an
// in-memory database).
std::unique_ptr<Pipeline> make_pipeline(Store& store, const std::string& db_path,
                                        PipelineOptions opts, std::int64_t run_id,
                                        EntrySink sink);

// Read-only connections to the database at `db_path`; none (an empty
// function) for an in-memory database, which another connection cannot see.
WorkerCache::Open open_worker_readers(const std::string& db_path);

// The CRM client for ctx.cfg.crm, with its secret read from the environment or
// the file the configuration names. Fails (Scope::Run) when [crm] is missing or
// the secret cannot be had. Without `with_secret` the sink can only preview
// (the dry run): no secret is read and nothing may be sent.
Result<std::unique_ptr<CrmSink>> open_crm_sink(const Context& ctx, bool with_secret = true);
// The same for the reads of `sync` and `check`.
Result<std::unique_ptr<CrmReader>> open_crm_reader(const Context& ctx);

}  // namespace crmr
