#include "cli/pipeline.h"

#include <spdlog/spdlog.h>

#include <set>

#include "core/cache_view_decorator.h"
#include "core/base/crash_point.h"
#include "core/mime/message_key.h"
#include "core/base/normalize.h"
#include "core/decision/parties.h"
#include "core/base/sha256.h"
#include "core/mime/unwrap.h"
#include "storage/key_set.h"

namespace crmr {

// The cache as the decision sees it during a run. A real run records every
// key in the ledger inside the open transaction, where the store itself sees
// it; a dry run writes nothing, so it remembers its keys in a temporary
// on-disk set (constant memory for any archive size).
class Pipeline::RunOverlay final : public CacheViewDecorator {
 public:
  explicit RunOverlay(const CacheView& base) : CacheViewDecorator(base), org_(base.org()) {}


  Status remember(const std::string& key) {
    if (!seen_) {
      auto set = KeySet::open_temporary();
      if (!set) return std::unexpected(set.error());
      seen_ = std::move(*set);
    }
    return seen_->insert(key);
  }

  OrgSettings org() const override { return org_; }
  bool ledger_has(std::string_view key) const override {
    if (seen_ && seen_->contains(key)) return true;
    return !forgotten_.contains(key) && base().ledger_has(key);
  }
  void forget(const std::string& key) { forgotten_.insert(key); }

 private:
  OrgSettings org_;  // read once per run: org() is called for every message
  std::unique_ptr<KeySet> seen_;
  std::set<std::string, std::less<>> forgotten_;  // dry run: keys to decide as new
};

Pipeline::Pipeline(Store& store, PipelineOptions opts, std::int64_t run_id, EntrySink sink)
    : Pipeline(store, store, std::move(opts), run_id, std::move(sink)) {}

Pipeline::Pipeline(Store& store, const CacheView& cache, PipelineOptions opts,
                   std::int64_t run_id, EntrySink sink)
    : store_(store),
      opts_(std::move(opts)),
      run_id_(run_id),
      sink_(std::move(sink)),
      overlay_(std::make_unique<RunOverlay>(cache)) {
  for (const char* o : {"pushed", "queued", "duplicate", "tossed", "quarantined", "failed"})
    totals_[o] = 0;
}

Pipeline::~Pipeline() {
  if (batch_open_) store_.rollback();
}

bool Pipeline::limit_reached() const { return opts_.limit && processed_ >= *opts_.limit; }

void Pipeline::emit(ReportEntry&& e) {
  ++totals_[e.outcome];
  ++processed_;
  sink_(std::move(e));
}

Status Pipeline::commit_entry(const ReportEntry& e, std::string raw) {
  if (opts_.dry_run) return overlay_->remember(e.key);
  if (!batch_open_) {
    if (auto s = store_.begin(); !s) return s;
    batch_open_ = true;
  }
  ProcessedMessage pm;
  pm.key = e.key;
  pm.source = e.source;
  pm.position = e.position;
  pm.message_id = e.message_id;
  pm.outcome = e.outcome;
  pm.reason = e.reason;
  pm.decision_json = entry_to_json(e);
  if (e.outcome == "queued" || e.outcome == "quarantined") pm.raw = std::move(raw);
  pm.error = e.error;
  pm.run_seq = ++entries_;  // the outbox item knows its entry: the push after the batch updates it
  if (auto s = store_.record_processed(run_id_, pm); !s) return s;
  if (auto s = store_.add_run_entry(run_id_, pm.run_seq, pm.decision_json); !s) return s;
  if (++in_batch_ >= opts_.commit_every) return flush();
  return {};
}

Status Pipeline::record_entry_only(const ReportEntry& e) {
  if (opts_.dry_run) return {};
  if (!batch_open_) {
    if (auto s = store_.begin(); !s) return s;
    batch_open_ = true;
  }
  if (auto s = store_.add_run_entry(run_id_, ++entries_, entry_to_json(e)); !s) return s;
  if (++in_batch_ >= opts_.commit_every) return flush();
  return {};
}

Status Pipeline::flush() {
  if (!batch_open_) return {};
  batch_open_ = false;
  in_batch_ = 0;
  if (auto st = store_.commit(); !st) return st;
  crash_point("commit");
  return {};
}

Status Pipeline::check_cache(const RawMessage& raw) {
  Status st = overlay_->status();
  if (st) return {};
  const Error& cause = st.error();
  Error e{"cache.failed",
          raw.source + (raw.position.empty() ? "" : " " + raw.position) +
              ": not routed: the cache could not be read while deciding it: " + cause.message,
          "the message was not recorded and not disposed of, and is routed again next time" + (cause.hint.empty() ? std::string() : "; " + cause.hint),
          Scope::Run, cause.retry};
  spdlog::warn("{}", e.describe());  // the command prints it; error level would repeat it
  if (auto f = flush(); !f) return f;  // the messages decided before it stand
  return fail(std::move(e));
}

Result<bool> Pipeline::process(RawMessage raw) {
  bytes_ += raw.bytes.size();
  last_quarantined_ = false;
  last_without_sender_ = false;
  auto parsed = parse_message(raw.bytes, opts_.limits);
  crash_point("parse");
  if (!parsed) {
    // Unparseable: quarantine it whole, keyed by its bytes, and go on. Only
    // this branch records such a key, always as "quarantined": a ledger hit
    // here is a message an earlier run quarantined, disposed of as such.
    last_quarantined_ = true;
    ReportEntry e;
    e.source = raw.source;
    e.position = raw.position;
    e.key = "sha256:" + sha256_hex(raw.bytes);
    e.outcome = to_string(Outcome::Quarantined);
    e.reason = "ParseError";
    e.correlation = to_string(Correlation::None);
    e.error = parsed.error().describe();
    if (overlay_->ledger_has(e.key)) {
      e.outcome = to_string(Outcome::Duplicate);
      e.reason = "Duplicate";
      e.error.clear();
    }
    if (auto st = check_cache(raw); !st) return std::unexpected(st.error());
    if (auto s = commit_entry(e, std::move(raw.bytes)); !s) return std::unexpected(s.error());
    emit(std::move(e));
    return true;
  }

  Message msg = std::move(*parsed);
  Policy policy = opts_.policy;
  // A forward mailbox, however it is read (`run` of a mailbox with role
  // forward, import --forward-mailbox, quarantine retry).
  if (opts_.forward_mailbox) route_as_forward_mailbox(msg, raw.bytes, policy, opts_.limits);

  std::optional<std::int64_t> when = msg.date ? msg.date : raw.envelope_date;
  if (when && ((opts_.since && *when < *opts_.since) || (opts_.until && *when >= *opts_.until))) {
    ++skipped_;
    return false;
  }

  const std::string key = message_key(msg, raw.bytes);
  Decision d = decide(msg, key, *overlay_, policy);
  if (auto st = check_cache(raw); !st) return std::unexpected(st.error());
  last_without_sender_ = !d.accepted && !sender_address(msg);
  ReportEntry e = make_entry(raw.source, raw.position, msg, d);
  // Unwrapped now, or (quarantine retry) unwrapped when first routed: the
  // report and the stored decision keep who forwarded it.
  e.forwarded_by = policy.forwarded_by;
  // The entry holds what the report needs; the parsed parts (decoded
  // attachments: up to the size of the message again) go before the raw
  // bytes are copied into the store, so a large message costs less at its peak.
  msg = Message{};
  if (auto s = commit_entry(e, std::move(raw.bytes)); !s) return std::unexpected(s.error());
  emit(std::move(e));
  return true;
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
  spdlog::warn("{}: {}", source, err.describe());
  // In the run's history too (no ledger row: nothing was read to key it).
  if (auto s = record_entry_only(e); !s) spdlog::error("{}: {}", source, s.error().describe());
  emit(std::move(e));
}

Status Pipeline::run_source(MailSource& src, const std::function<void()>& on_progress) {
  while (!limit_reached()) {
    auto next = src.next();
    if (!next) {
      if (next.error().scope == Scope::Message) {
        source_failed(src.describe(), next.error());
        continue;
      }
      return std::unexpected(next.error());
    }
    if (!next->has_value()) break;
    auto r = process(std::move(**next));
    if (!r) return std::unexpected(r.error());
    if (on_progress) on_progress();
  }
  return flush();
}

}  // namespace crmr
