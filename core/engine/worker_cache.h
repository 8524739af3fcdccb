// Read-only views of the cache for the pipeline's workers, so that a message
// can be decided on a worker thread as well as parsed there.
//
// The decision reads the cache (CRM records, tracked e-mails, settings: not
// written during an import or a mailbox run) and, first of all, the ledger,
// which the run itself writes in order. A worker therefore decides a message
// twice: as if its key were new (ledger_has() answers false) and as if it
// were in the ledger (true: decide() stops at its first step then, so that
// costs next to nothing). The pipeline's ordered stage asks its own view
// whether the key is in the ledger and takes the matching decision, which is
// the one it would have made alone; the worker can then free the parsed
// message itself (freeing in another thread than the one that allocated is
// what made malloc the largest cost of two threads).
//
// Each worker leases a reader of its own (one SQLite connection, never shared
// between threads at once); a reader keeps one read transaction open for up
// to kDecisionsPerSnapshot decisions, so its lookups take no lock each, and
// then lets go of it (a long-lived snapshot would hold back the WAL
// checkpoint of a writing run).
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "core/cache_reader.h"
#include "core/cache_view_decorator.h"
#include "core/result.h"

namespace crmr {

class WorkerCache {
 public:
  // Opens one more read-only connection to the run's database
  // (cli/wiring.h: open_worker_readers).
  using Open = std::function<Result<std::unique_ptr<CacheReader>>()>;
  static constexpr std::size_t kDecisionsPerSnapshot = 1000;

  explicit WorkerCache(Open open);
  ~WorkerCache();

  class Reader;
  // A reader for one decision, returned to the pool when the lease ends.
  class Lease {
   public:
    Lease(WorkerCache& pool, std::unique_ptr<Reader> r);
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease();
    // The cache as a worker sees it, every key new to the ledger (as_new) or
    // in it (as_seen). Check as_new().status() after deciding: a failed
    // lookup voids the decision.
    const CacheView& as_new() const;
    const CacheView& as_seen() const;

   private:
    WorkerCache* pool_;
    std::unique_ptr<Reader> r_;
  };
  // A free reader, opened when none is (nullptr when the database cannot be
  // opened: the ordered stage decides then).
  std::unique_ptr<Lease> lease();

 private:
  void give_back(std::unique_ptr<Reader> r);

  Open open_;
  std::mutex mu_;
  std::vector<std::unique_ptr<Reader>> free_;
  bool broken_ = false;  // opening failed once: do not try for every message
};

}  // namespace crmr
