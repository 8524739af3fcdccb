// The composition root: the one place that names the concrete classes behind
// the engine's ports (core/run_journal.h, core/state_store.h,
// core/cache_reader.h, core/seen_keys.h) and hands them to the engine
// (core/engine): storage's Store, its on-disk key sets, and the log as the
// pipeline's events. Commands build their pipelines here.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

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

}  // namespace crmr
