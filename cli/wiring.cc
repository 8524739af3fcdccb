#include "cli/wiring.h"

#include <spdlog/spdlog.h>

#include "storage/key_set.h"

namespace crmr {
namespace {

// The pipeline's events as log lines.
class LoggedPipelineEvents final : public PipelineEvents {
 public:
  void cache_failed(const Error& e) override {
    spdlog::warn("{}", e.describe());  // the command prints it; error level would repeat it
  }
  void source_failed(const std::string& source, const Error& e) override {
    spdlog::warn("{}: {}", source, e.describe());
  }
  void source_failure_not_recorded(const std::string& source, const Error& e) override {
    spdlog::error("{}: {}", source, e.describe());
  }
};

}  // namespace

PipelineServices pipeline_services() {
  static LoggedPipelineEvents events;  // stateless: one for every pipeline
  PipelineServices s;
  s.open_seen_keys = []() -> Result<std::unique_ptr<SeenKeys>> {
    auto set = KeySet::open_temporary();
    if (!set) return std::unexpected(set.error());
    return std::unique_ptr<SeenKeys>(std::move(*set));
  };
  s.events = &events;
  return s;
}

std::unique_ptr<Pipeline> make_pipeline(Store& store, const std::string& db_path,
                                        PipelineOptions opts, std::int64_t run_id,
                                        EntrySink sink) {
  auto p = std::make_unique<Pipeline>(store, std::move(opts), run_id, std::move(sink),
                                      pipeline_services());
  p->decide_on_workers(open_worker_readers(db_path));
  return p;
}

WorkerCache::Open open_worker_readers(const std::string& db_path) {
  if (db_path.empty() || db_path == ":memory:") return {};
  return [db_path]() -> Result<std::unique_ptr<CacheReader>> {
    auto store = Store::open(db_path, OpenMode::ReadOnly);
    if (!store) return std::unexpected(store.error());
    return std::unique_ptr<CacheReader>(std::move(*store));
  };
}

}  // namespace crmr
