#include "core/engine/pipeline.h"

#include <algorithm>
#include <set>
#include <thread>

#include "core/cache_view_decorator.h"
#include "core/base/crash_point.h"
#include "core/base/normalize.h"
#include "core/decision/parties.h"
#include "core/mime/unwrap.h"

namespace crmr {

// The cache as the decision sees it during a run. A real run records every
// key in the ledger inside the open transaction, where the store itself sees
// it; a dry run writes nothing, so it remembers its keys in a set of its own
// (on disk in the command: constant memory for any archive size).
class Pipeline::RunOverlay final : public CacheViewDecorator {
 public:
  RunOverlay(const CacheView& base, OpenSeenKeys open)
      : CacheViewDecorator(base), org_(base.org()), open_(std::move(open)) {}

  Status remember(const std::string& key) {
    if (!seen_) {
      auto set = open_ ? open_() : Result<std::unique_ptr<SeenKeys>>(std::make_unique<KeysInMemory>());
      if (!set) return std::unexpected(set.error());
      seen_ = std::move(*set);
    }
    return seen_->insert(key);
  }

  const CacheView& base_view() const { return base(); }
  OrgSettings org() const override { return org_; }
  bool ledger_has(std::string_view key) const override {
    if (seen_ && seen_->contains(key)) return true;
    return !forgotten_.contains(key) && base().ledger_has(key);
  }
  void forget(const std::string& key) { forgotten_.insert(key); }

 private:
  // A dry run's keys when no set was given.
  class KeysInMemory final : public SeenKeys {
   public:
    Status insert(std::string_view key) override {
      keys_.emplace(key);
      return {};
    }
    Result<bool> find(std::string_view key) const override { return keys_.contains(key); }

   private:
    std::set<std::string, std::less<>> keys_;
  };

  OrgSettings org_;  // read once per run: org() is called for every message
  OpenSeenKeys open_;
  std::unique_ptr<SeenKeys> seen_;
  std::set<std::string, std::less<>> forgotten_;  // dry run: keys to decide as new
};

std::size_t jobs_or_cores(std::optional<std::size_t> asked, std::size_t configured) {
  if (asked) return std::max<std::size_t>(*asked, 1);
  if (configured) return configured;
  return std::max(1u, std::thread::hardware_concurrency());
}

Pipeline::Pipeline(RunJournal& journal, const CacheView& cache, PipelineOptions opts,
                   std::int64_t run_id, EntrySink sink, PipelineServices services)
    : journal_(journal),
      opts_(std::move(opts)),
      run_id_(run_id),
      sink_(std::move(sink)),
      services_(std::move(services)),
      overlay_(std::make_unique<RunOverlay>(cache, services_.open_seen_keys)),
      shared_opts_(std::make_shared<const PipelineOptions>(opts_)) {
  for (const char* o : {"pushed", "queued", "duplicate", "tossed", "quarantined", "failed"})
    totals_[o] = 0;
  WorkQueueLimits limits;
  limits.workers = opts_.jobs > 1 ? opts_.jobs : 0;
  // Enough messages in flight to keep every worker busy while the ordered
  // stage commits; the byte bound keeps a run of large messages flat.
  limits.max_items = 16 * std::max<std::size_t>(opts_.jobs, 1);
  limits.max_bytes = 16u << 20;
  queue_ = std::make_unique<OrderedWorkQueue<Job, Prepared>>(
      limits,
      [this](Job j) { return prepare(std::move(j)); },
      [this](Prepared p) { return record(std::move(p)); });
}

void Pipeline::decide_on_workers(WorkerCache::Open open) {
  // Only against the journal's own store (not a cache a test injected), and
  // only with workers to do it. The same object seen through either port.
  const bool own_cache =
      dynamic_cast<const void*>(&overlay_->base_view()) == dynamic_cast<const void*>(&journal_);
  if (open && queue_->workers() > 0 && own_cache)
    worker_cache_ = std::make_unique<WorkerCache>(std::move(open));
}

// On a worker: parse, unwrap, and (with a worker cache) decide, as if the
// key were new and as if it were in the ledger, with the report entries the
// ordered stage will record; the parsed message is not needed after that.
Pipeline::Prepared Pipeline::prepare(Job j) {
  Prepared p{prepare_message(std::move(j.raw), *j.opts), std::move(j.after), j.read_ahead, {}};
  if (!worker_cache_ || !p.m.parsed || p.m.out_of_dates) return p;
  auto lease = worker_cache_->lease();
  if (!lease) return p;
  const Message& msg = *p.m.parsed;
  auto variant = [&](const CacheView& view) {
    Decision d = decide(msg, p.m.key, view, p.m.policy);
    WorkerDecision::Variant v;
    v.without_sender = !d.accepted && !sender_address(msg);
    v.entry = make_entry(p.m.raw.source, p.m.raw.position, msg, d);
    v.entry.forwarded_by = p.m.policy.forwarded_by;
    return v;
  };
  WorkerDecision w{variant(lease->as_new()), variant(lease->as_seen())};
  if (!lease->as_new().status()) return p;  // a failed lookup: the ordered stage decides
  if (!j.opts->dry_run) w.if_new.decision_json = entry_to_json(w.if_new.entry);
  p.decided = std::move(w);
  p.m.parsed = Message{};  // freed here, in the thread that made it
  return p;
}

Pipeline::~Pipeline() {
  queue_.reset();  // stops the workers before anything they could reach goes
  if (batch_open_) journal_.rollback();
}

void Pipeline::set_options(PipelineOptions opts) {
  opts_ = std::move(opts);
  shared_opts_ = std::make_shared<const PipelineOptions>(opts_);
}

bool Pipeline::limit_reached() const { return opts_.limit && processed_ >= *opts_.limit; }

void Pipeline::emit(ReportEntry&& e) {
  ++totals_[e.outcome];
  ++processed_;
  sink_(std::move(e));
}

Status Pipeline::open_batch() {
  if (batch_open_) return {};
  if (auto s = journal_.begin(); !s) return s;
  batch_open_ = true;
  return {};
}

Status Pipeline::commit_entry(const ReportEntry& e, std::string raw, std::string decision_json) {
  if (opts_.dry_run) {
    if (auto s = overlay_->remember(e.key); !s) return s;
    if (++in_batch_ >= opts_.commit_every) return commit_batch();
    return {};
  }
  if (auto s = open_batch(); !s) return s;
  ProcessedMessage pm;
  pm.key = e.key;
  pm.source = e.source;
  pm.position = e.position;
  pm.message_id = e.message_id;
  pm.outcome = e.outcome;
  pm.reason = e.reason;
  pm.decision_json = decision_json.empty() ? entry_to_json(e) : std::move(decision_json);
  if (e.outcome == "queued" || e.outcome == "quarantined") pm.raw = std::move(raw);
  pm.error = e.error;
  pm.run_seq = ++entries_;  // the outbox item knows its entry: the push after the batch updates it
  if (auto s = journal_.record_processed(run_id_, pm); !s) return s;
  if (auto s = journal_.add_run_entry(run_id_, pm.run_seq, pm.decision_json); !s) return s;
  if (++in_batch_ >= opts_.commit_every) return commit_batch();
  return {};
}

Status Pipeline::record_entry_only(const ReportEntry& e) {
  if (opts_.dry_run) return {};
  if (auto s = open_batch(); !s) return s;
  if (auto s = journal_.add_run_entry(run_id_, ++entries_, entry_to_json(e)); !s) return s;
  if (++in_batch_ >= opts_.commit_every) return commit_batch();
  return {};
}

Status Pipeline::flush() {
  if (auto st = drain(); !st) return st;
  return commit_batch();
}

Status Pipeline::commit_batch() {
  if (!batch_open_) return {};
  batch_open_ = false;
  in_batch_ = 0;
  if (auto st = journal_.commit(); !st) return st;
  if (!opts_.dry_run) crash_point("commit");
  return {};
}

Status Pipeline::check_cache(const RawMessage& raw) {
  Status st = overlay_->status();
  if (st) return {};
  const Error& cause = st.error();
  Error e{Code::CacheFailed,
          raw.source + (raw.position.empty() ? "" : " " + raw.position) +
              ": not routed: the cache could not be read while deciding it: " + cause.message,
          "the message was not recorded and not disposed of, and is routed again next time" + (cause.hint.empty() ? std::string() : "; " + cause.hint),
          Scope::Run, cause.retry};
  if (services_.events) services_.events->cache_failed(e);
  if (in_batch_ == 0) {
    // Nothing recorded in this batch: its transaction holds only the
    // decision's reads, and after a read failed on a broken database SQLite
    // may refuse to commit it ("malformed"), which would hide the cause.
    if (batch_open_) journal_.rollback();
    batch_open_ = false;
  } else if (auto f = commit_batch(); !f) {
    return f;  // the messages decided before it stand
  }
  return fail(std::move(e));
}

Status Pipeline::submit(RawMessage raw, OnRouted after) {
  return submit_job(Job{std::move(raw), shared_opts_, std::move(after)});
}

Status Pipeline::submit_job(Job job) {
  const std::size_t cost = job.raw.bytes.size();
  return queue_->push(std::move(job), cost);
}

Status Pipeline::drain() { return queue_->drain(); }

Result<bool> Pipeline::process(RawMessage raw) {
  bool decided = false;
  if (auto st = submit(std::move(raw), [&](const Routed& r) { decided = r.decided; }); !st)
    return std::unexpected(st.error());
  if (auto st = drain(); !st) return std::unexpected(st.error());
  return decided;
}

Status Pipeline::record(Prepared p) {
  // Read by run_source ahead of its limit (jobs > 1): such a message is
  // neither decided nor reported, as if it had not been read.
  if (p.read_ahead && limit_reached()) {
    if (p.after) p.after(Routed{});
    return {};
  }
  auto routed = decide_and_commit(p.m, p.decided);
  if (!routed) return std::unexpected(routed.error());
  last_quarantined_ = routed->quarantined;
  last_without_sender_ = routed->without_sender;
  if (p.after) p.after(*routed);
  return {};
}

Result<Routed> Pipeline::decide_and_commit(PreparedMessage& p,
                                           std::optional<WorkerDecision>& decided) {
  RawMessage& raw = p.raw;
  bytes_ += p.read_bytes;
  crash_point("parse");
  if (!p.parsed) {
    // Unparseable: quarantine it whole, keyed by its bytes, and go on. Only
    // this branch records such a key, always as "quarantined": a ledger hit
    // here is a message an earlier run quarantined, disposed of as such.
    ReportEntry e;
    e.source = raw.source;
    e.position = raw.position;
    e.key = std::move(p.key);
    e.outcome = to_string(Outcome::Quarantined);
    e.reason = "ParseError";
    e.correlation = to_string(Correlation::None);
    e.error = p.parsed.error().describe();
    if (auto s = open_batch(); !s) return std::unexpected(s.error());
    if (overlay_->ledger_has(e.key)) {
      e.outcome = to_string(Outcome::Duplicate);
      e.reason = "Duplicate";
      e.error.clear();
    }
    if (auto st = check_cache(raw); !st) return std::unexpected(st.error());
    if (auto s = commit_entry(e, std::move(raw.bytes)); !s) return std::unexpected(s.error());
    emit(std::move(e));
    return Routed{.decided = true, .quarantined = true};
  }

  if (p.out_of_dates) {
    ++skipped_;
    return Routed{};
  }

  if (decided) {
    // Decided on a worker both ways: the ledger says which decision stands.
    if (auto s = open_batch(); !s) return std::unexpected(s.error());
    const bool seen = overlay_->ledger_has(p.key);
    if (auto st = check_cache(raw); !st) return std::unexpected(st.error());
    WorkerDecision::Variant& v = seen ? decided->if_seen : decided->if_new;
    Routed routed{.decided = true, .without_sender = v.without_sender};
    if (auto s = commit_entry(v.entry, std::move(raw.bytes), std::move(v.decision_json)); !s)
      return std::unexpected(s.error());
    emit(std::move(v.entry));
    return routed;
  }

  Message& msg = *p.parsed;
  // Decided inside the open batch: its lookups read one snapshot, without
  // taking and dropping the database's locks for each (a dry run too).
  if (auto s = open_batch(); !s) return std::unexpected(s.error());
  Decision d = decide(msg, p.key, *overlay_, p.policy);
  if (auto st = check_cache(raw); !st) return std::unexpected(st.error());
  Routed routed{.decided = true, .without_sender = !d.accepted && !sender_address(msg)};
  ReportEntry e = make_entry(raw.source, raw.position, msg, d);
  // Unwrapped now, or (quarantine retry) unwrapped when first routed: the
  // report and the stored decision keep who forwarded it.
  e.forwarded_by = p.policy.forwarded_by;
  // The entry holds what the report needs; the parsed parts (decoded
  // attachments: up to the size of the message again) go before the raw
  // bytes are copied into the store, so a large message costs less at its peak.
  msg = Message{};
  if (auto s = commit_entry(e, std::move(raw.bytes)); !s) return std::unexpected(s.error());
  emit(std::move(e));
  return routed;
}

bool route_as_forward_mailbox(Message& msg, std::string& bytes, Policy& policy,
                              const ParseLimits& limits) {
  policy.role = MailboxRole{MailboxRole::Forward, {}};
  auto un = unwrap_forward(msg, limits);
  if (!un) return false;
  policy.forwarded_by = un->forwarded_by;
  msg = std::move(un->inner);
  bytes = std::move(un->inner_raw);
  return true;
}

void Pipeline::forget_key(const std::string& key) {
  if (opts_.dry_run) overlay_->forget(key);
}

void Pipeline::source_failed(const std::string& source, const Error& err) {
  ReportEntry e;
  e.source = source;
  e.outcome = to_string(Outcome::Failed);
  e.reason = "ReadError";
  e.correlation = to_string(Correlation::None);
  e.error = err.describe();
  if (services_.events) services_.events->source_failed(source, err);
  // In the run's history too (no ledger row: nothing was read to key it).
  if (auto s = record_entry_only(e); !s && services_.events)
    services_.events->source_failure_not_recorded(source, s.error());
  emit(std::move(e));
}

Status Pipeline::run_source(MailSource& src, const std::function<void()>& on_progress) {
  while (!limit_reached()) {
    auto next = src.next();
    if (!next) {
      // In its place in the report, after every message read before it;
      // not at all when those reached the limit (read ahead: one job would
      // have stopped before it).
      if (auto st = drain(); !st) return st;
      if (limit_reached()) break;
      if (next.error().scope == Scope::Message) {
        source_failed(src.describe(), next.error());
        continue;
      }
      return std::unexpected(next.error());
    }
    if (!next->has_value()) break;
    Job job{std::move(**next), shared_opts_, [&](const Routed&) {
              if (on_progress) on_progress();
            }};
    job.read_ahead = true;
    auto st = submit_job(std::move(job));
    if (!st) return st;
  }
  return flush();
}

}  // namespace crmr
