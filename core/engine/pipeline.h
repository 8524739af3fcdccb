// Pipeline: each message through parse -> unwrap -> decide -> commit,
// whatever its source. `import` plugs file sources into it; `run` (mailboxes)
// uses the same object, disposing of a batch's messages after flush().
//
// Threads (PipelineOptions::jobs): parse and unwrap (prepare_message) run on
// worker threads, and so does the decision when the workers have cache
// readers of their own (decide_on_workers: every key taken as new). The
// ledger check, the store and the report run in one ordered stage on the
// caller's thread, in the order the messages were submitted, so results,
// report and database are those of a run with jobs = 1, which uses no thread
// at all. At most a bounded number of messages (and bytes) are in flight
// between submit() and their record (core/base/ordered_work_queue.h).
//
// Ownership: the pipeline borrows the journal, the cache and the sink; it owns
// the per-run memory of keys seen by a dry run (which writes no ledger), made
// by PipelineServices::open_seen_keys (on disk in the command: constant memory).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <concepts>
#include <string>

#include "core/cache_view.h"
#include "core/engine/pipeline_events.h"
#include "core/engine/prepared_message.h"
#include "core/engine/worker_cache.h"
#include "core/base/ordered_work_queue.h"
#include "core/decision/decision.h"
#include "core/mail_source.h"
#include "core/mime/mime_parser.h"
#include "core/report/report.h"
#include "core/run_journal.h"
#include "core/seen_keys.h"

namespace crmr {

struct PipelineOptions {
  bool dry_run = false;           // decide and report, write nothing
  // A forward mailbox: unwrap forwarded-as-attachment messages and decide
  // acceptance as role Forward (the forwarding user's filtering method),
  // whatever policy.role says. The entry's forwarded_by names that user.
  bool forward_mailbox = false;
  std::optional<std::int64_t> since;  // keep messages dated at or after (Unix s)
  std::optional<std::int64_t> until;  // keep messages dated before (Unix s)
  std::optional<std::uint64_t> limit; // stop after this many messages
  ParseLimits limits;
  Policy policy;
  std::size_t commit_every = 1000;  // messages per database transaction
  // Threads that parse, unwrap (and decide) messages; 1: none, everything
  // in the caller's thread. Read when the pipeline is made (set_options keeps it).
  std::size_t jobs = 1;
};

// --jobs as given, else the configuration's `jobs` when not 0, else one per
// core (at least 1).
std::size_t jobs_or_cores(std::optional<std::size_t> asked, std::size_t configured);

// What became of one submitted message, told in submission order.
struct Routed {
  bool decided = false;         // false: outside the date filter (or past the limit)
  bool quarantined = false;     // see Pipeline::last_quarantined()
  bool without_sender = false;  // see Pipeline::last_without_sender()
};
using OnRouted = std::function<void(const Routed&)>;

// The forward-mailbox step of routing, shared by the pipeline and `explain`:
// acceptance becomes the forwarding user's (policy.role Forward); when `msg`
// is a forwarded-as-attachment wrapper it is replaced by the inner message,
// `bytes` by the inner message's bytes, and policy.forwarded_by names the
// forwarding user. Returns whether it unwrapped.
bool route_as_forward_mailbox(Message& msg, std::string& bytes, Policy& policy,
                              const ParseLimits& limits);

// Receives each report entry as it is made (streamed to files or kept).
using EntrySink = std::function<void(ReportEntry&&)>;

// What the pipeline uses besides its journal and cache; the composition root
// (cli/wiring.h) gives the real ones.
struct PipelineServices {
  // The dry run's memory of keys; empty: kept in memory.
  OpenSeenKeys open_seen_keys;
  // Told what the pipeline would otherwise log; nullptr: nobody. Borrowed.
  PipelineEvents* events = nullptr;
};

class Pipeline {
 public:
  // Decides against `cache` (which must outlive the pipeline) and records in
  // `journal`. Tests give a cache of their own to inject faults.
  Pipeline(RunJournal& journal, const CacheView& cache, PipelineOptions opts,
           std::int64_t run_id, EntrySink sink, PipelineServices services = {});
  // A store that is both the journal and the cache (storage's Store).
  template <class S>
    requires std::derived_from<S, RunJournal> && std::derived_from<S, CacheView>
  Pipeline(S& store, PipelineOptions opts, std::int64_t run_id, EntrySink sink,
           PipelineServices services = {})
      : Pipeline(static_cast<RunJournal&>(store), static_cast<const CacheView&>(store),
                 std::move(opts), run_id, std::move(sink), std::move(services)) {}
  ~Pipeline();

  // Process one raw message. Returns false when it was skipped by the date
  // filter. Errors only for storage failures (Scope::Run): the message is then
  // not committed and the run must stop. A cache lookup that failed during
  // its decision (CacheView::status()) is such a failure ("cache.failed"):
  // the messages before it are committed, this one is not recorded at all,
  // so it is neither in the ledger nor disposed of, and is routed next time.
  // Takes the message by value: its bytes are moved into the store, not copied.
  // Decides everything submitted before it first.
  Result<bool> process(RawMessage raw);

  // Hands `raw` to the workers. Its decision, commit and report entry follow
  // in submission order, on this thread, during a later submit(), drain()
  // or flush(); `after` (when set) is called then. An error is a storage
  // failure of this or an earlier message (as process()): the run must stop,
  // and nothing submitted after that message is recorded or told.
  Status submit(RawMessage raw, OnRouted after = {});
  // Decides and records (in the open batch) every message submitted so far.
  Status drain();

  // With jobs > 1: decide on the workers too, each with its own read-only
  // connection from `open` (worker_cache.h); the ordered stage then only
  // checks the ledger. Call before the first submit(). Has no effect with
  // one job or when the pipeline decides against an injected cache (one that
  // is not the journal's own store).
  void decide_on_workers(WorkerCache::Open open);

  // A message the source could not deliver (Scope::Message read error).
  void source_failed(const std::string& source, const Error& e);

  // A dry run decides `key` as never processed (quarantine retry: the real
  // run removes the key's ledger row in the transaction that records the
  // message again). A real run reads the ledger as it is: no effect there.
  void forget_key(const std::string& key);

  // Every message of `src` (stops at the limit). Source errors of wider scope
  // are returned; per-message ones are reported and the run goes on.
  Status run_source(MailSource& src, const std::function<void()>& on_progress);

  // Decide every message submitted (drain()), then commit the open batch.
  // Must be called before disposing of source messages.
  Status flush();

  // Change the options between the sources of one run (e.g. per mailbox:
  // role, forward unwrap, date filter). The counters, the report entry
  // sequence and a dry run's memory of keys carry on. Messages submitted
  // before are prepared with the options they were submitted under.
  void set_options(PipelineOptions opts);
  const PipelineOptions& options() const { return opts_; }

  bool limit_reached() const;
  // Whether the message last given to process() is to be disposed of as a
  // quarantined one (mailboxes: moved to quarantine_folder): quarantined now,
  // or found in the ledger as quarantined by an earlier run (refetched after
  // a crash between commit and cursor save). Its report entry says duplicate
  // then; the disposition must still be the quarantine's.
  bool last_quarantined() const { return last_quarantined_; }
  // Whether the message last given to process() was not accepted and has no
  // usable sender (no From address, or none that is an e-mail address), as a
  // server's stand-in for a message it will not serve as it is looks (Courier
  // POP3: "Cannot display Unicode content" from "postmaster"). A mailbox run
  // never deletes such a message (see mailbox_run.h).
  bool last_without_sender() const { return last_without_sender_; }
  const std::map<std::string, std::uint64_t>& totals() const { return totals_; }
  std::uint64_t processed() const { return processed_; }
  std::uint64_t skipped_by_date() const { return skipped_; }
  std::uint64_t bytes() const { return bytes_; }

 private:
  class RunOverlay;
  struct Job {
    RawMessage raw;
    std::shared_ptr<const PipelineOptions> opts;
    OnRouted after;
    bool read_ahead = false;  // run_source: read before the limit was known to be reached
  };
  // What a worker decided, as if the key were new to the ledger and as if
  // it were in it (WorkerCache); the ordered stage takes one.
  struct WorkerDecision {
    struct Variant {
      ReportEntry entry;
      std::string decision_json;  // a real run's new one: entry_to_json(entry)
      bool without_sender = false;
    };
    Variant if_new;
    Variant if_seen;
  };
  struct Prepared {
    PreparedMessage m;
    OnRouted after;
    bool read_ahead = false;
    std::optional<WorkerDecision> decided;
  };
  Prepared prepare(Job j);
  Status submit_job(Job job);
  // The ordered stage: decide, commit, report one prepared message.
  Status record(Prepared p);
  Result<Routed> decide_and_commit(PreparedMessage& p, std::optional<WorkerDecision>& decided);
  void emit(ReportEntry&& e);
  // Begin the batch's transaction unless it is open. It holds the decisions'
  // reads (a dry run's too) and a real run's writes; flush() commits it.
  Status open_batch();
  // Commit the open batch (the ordered stage's own commits; flush() also
  // drains the workers first, which the ordered stage must never do).
  Status commit_batch();
  Status commit_entry(const ReportEntry& e, std::string raw, std::string decision_json = {});
  // After a decision: the cache's sticky status. On failure commits what was
  // decided before and returns the error naming `raw`'s message.
  Status check_cache(const RawMessage& raw);
  // A report entry without a message behind it (a read failure): the run's
  // history only, in the open batch.
  Status record_entry_only(const ReportEntry& e);

  RunJournal& journal_;
  PipelineOptions opts_;
  std::int64_t run_id_;
  EntrySink sink_;
  PipelineServices services_;
  std::unique_ptr<RunOverlay> overlay_;
  std::shared_ptr<const PipelineOptions> shared_opts_;  // opts_ as the workers read it
  std::unique_ptr<WorkerCache> worker_cache_;  // set: workers decide too
  std::unique_ptr<OrderedWorkQueue<Job, Prepared>> queue_;
  std::map<std::string, std::uint64_t> totals_;
  std::uint64_t processed_ = 0;
  std::uint64_t skipped_ = 0;
  std::uint64_t bytes_ = 0;
  std::int64_t entries_ = 0;  // report entries recorded for this run
  std::size_t in_batch_ = 0;
  bool batch_open_ = false;
  bool last_quarantined_ = false;
  bool last_without_sender_ = false;
};

}  // namespace crmr
