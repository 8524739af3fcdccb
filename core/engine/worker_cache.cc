#include "core/engine/worker_cache.h"

namespace crmr {

namespace {

// The reader's view with every key in the ledger.
class SeenView final : public CacheViewDecorator {
 public:
  using CacheViewDecorator::CacheViewDecorator;
  bool ledger_has(std::string_view) const override { return true; }
};

}  // namespace

// One read-only connection with a decorator that answers every ledger
// question with "not processed" (the ordered stage asks the real one).
class WorkerCache::Reader final : public CacheViewDecorator {
 public:
  explicit Reader(std::unique_ptr<CacheReader> store)
      : CacheViewDecorator(*store), store_(std::move(store)), org_(store_->org()), seen_(*this) {}
  ~Reader() override {
    if (in_snapshot_) (void)store_->commit();
  }

  // Called before each decision: a snapshot that is open, renewed now and then.
  void ready() {
    if (in_snapshot_ && ++decisions_ >= kDecisionsPerSnapshot) {
      (void)store_->commit();
      in_snapshot_ = false;
    }
    if (!in_snapshot_) {
      decisions_ = 0;
      in_snapshot_ = static_cast<bool>(store_->begin());  // without one: a lock per lookup
    }
  }

  OrgSettings org() const override { return org_; }
  bool ledger_has(std::string_view) const override { return false; }
  const CacheView& seen() const { return seen_; }

 private:
  std::unique_ptr<CacheReader> store_;
  OrgSettings org_;  // read once: org() is asked for every message
  SeenView seen_;
  bool in_snapshot_ = false;
  std::size_t decisions_ = 0;
};

WorkerCache::WorkerCache(Open open) : open_(std::move(open)) {}
WorkerCache::~WorkerCache() = default;

WorkerCache::Lease::Lease(WorkerCache& pool, std::unique_ptr<Reader> r)
    : pool_(&pool), r_(std::move(r)) {}

WorkerCache::Lease::~Lease() {
  if (r_) pool_->give_back(std::move(r_));
}

const CacheView& WorkerCache::Lease::as_new() const { return *r_; }
const CacheView& WorkerCache::Lease::as_seen() const { return r_->seen(); }

std::unique_ptr<WorkerCache::Lease> WorkerCache::lease() {
  std::unique_ptr<Reader> r;
  {
    std::lock_guard lk(mu_);
    if (!free_.empty()) {
      r = std::move(free_.back());
      free_.pop_back();
    } else if (broken_) {
      return nullptr;
    }
  }
  if (!r) {
    auto store = open_();
    if (!store) {
      std::lock_guard lk(mu_);
      broken_ = true;
      return nullptr;
    }
    r = std::make_unique<Reader>(std::move(*store));
  }
  r->ready();
  return std::make_unique<Lease>(*this, std::move(r));
}

void WorkerCache::give_back(std::unique_ptr<Reader> r) {
  std::lock_guard lk(mu_);
  free_.push_back(std::move(r));
}

}  // namespace crmr
