// PipelineEvents: what the pipeline has to tell while it runs, beyond its
// results and report entries (the engine never logs; cli/ writes these to
// the log). Called on the thread of the pipeline's ordered stage.
#pragma once

#include <string>

#include "core/result.h"

namespace crmr {

class PipelineEvents {
 public:
  virtual ~PipelineEvents() = default;
  // A cache lookup failed while deciding a message: `e` (code "cache.failed")
  // is also returned to the caller, which stops the run.
  virtual void cache_failed(const Error& e) { (void)e; }
  // `source` could not deliver a message (a read error of Scope::Message);
  // it is reported as failed and the run goes on.
  virtual void source_failed(const std::string& source, const Error& e) {
    (void)source;
    (void)e;
  }
  // The run's history could not record that read error.
  virtual void source_failure_not_recorded(const std::string& source, const Error& e) {
    (void)source;
    (void)e;
  }
};

}  // namespace crmr
