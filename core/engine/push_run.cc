#include "core/engine/push_run.h"

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "core/base/crash_point.h"
#include "core/engine/push_message_of.h"

namespace crmr {

ReportEntry outbox_entry(const OutboxMessage& m) {
  if (auto e = entry_from_json(m.decision_json)) return std::move(*e);
  ReportEntry e;
  e.key = m.key;
  e.source = "outbox";
  e.position = std::to_string(m.id);
  return e;
}

Result<PushRunResult> run_push(PushOutbox& store, CrmSink& crm, const PushRunOptions& o, PushObserver& observer) {
  const CrmRequestCounts sent_before = crm.request_counts();
  auto last_seq = store.last_run_seq(o.run_id);
  if (!last_seq) return std::unexpected(last_seq.error());

  PushRunResult out;
  std::optional<Error>& fatal = out.fatal;
  std::optional<Error>& storage = out.storage;
  std::size_t in_tx = 0;
  std::size_t transient_in_a_row = 0;
  std::int64_t seq = *last_seq;
  std::int64_t after = 0;
  // The outbox items of the current page, by id (each knows the run and
  // report entry that queued it).
  std::map<std::int64_t, const OutboxMessage*> queued;

  auto done = [&](const PushMessage& pm, Result<PushResult> r) {
    const OutboxMessage& m = *queued.at(pm.id);
    ReportEntry e = outbox_entry(m);
    Status st;
    if (r) {
      transient_in_a_row = 0;
      st = store.outbox_done(m.id, r->activity_id);
      if (st) crash_point("outbox_done");
      // A sender record push created: later messages from it resolve to it.
      if (st && r->created) st = store.upsert_record(*r->created);
      e.outcome = "pushed";
      e.activity_id = r->activity_id;
      e.queues = r->queues;
      e.error.clear();
      if (!r->reason.empty()) e.reason = r->reason;
      for (auto& n : r->notes) e.warnings.push_back(n);
      if (r->existed) e.warnings.push_back("already in the CRM (same messageid): not created again");
    } else {
      const Error& err = r.error();
      bool permanent = err.retry == Retry::Never;
      st = store.outbox_failed(m.id, err.describe(), permanent);
      e.outcome = permanent ? "quarantined" : "queued";
      e.error = err.describe();
      if (!permanent) {
        out.left_queued = true;
        if (++transient_in_a_row >= o.give_up_after && !fatal) {
          fatal = Error{Code::CrmUnreachable,
                        std::to_string(transient_in_a_row) +
                            " messages in a row could not be delivered; last: " + err.message,
                        "the CRM seems unreachable; the rest stays queued for the next push",
                        Scope::Run, Retry::Later};
          crm.cancel();
        }
      } else {
        transient_in_a_row = 0;
      }
    }
    const bool own = m.run_id == o.run_id && m.run_seq > 0;
    if (!own && o.after_batch && m.run_id > 0)
      e.warnings.push_back("queued by run " + std::to_string(m.run_id) +
                           "; delivered at the end of this one");
    if (st) st = store.add_run_entry(o.run_id, own ? m.run_seq : ++seq, entry_to_json(e));
    if (st && ++in_tx >= kPushCommitEvery) {
      st = store.commit();
      if (st) st = store.begin();
      in_tx = 0;
    }
    if (!st && !storage) {
      storage = st.error();
      crm.cancel();
    }
    ++out.finished;
    observer.entry(std::move(e), own);
    observer.progress(out.finished, o.total);
  };

  std::uint64_t taken = 0;
  while (!fatal && !storage && taken < o.total) {
    auto items = store.outbox_pending_after(after, std::min<std::uint64_t>(kOutboxPage, o.total - taken));
    if (!items) {
      storage = items.error();
      break;
    }
    if (items->empty()) break;
    after = items->back().id;
    taken += items->size();
    const std::vector<OutboxMessage> page = std::move(*items);
    queued.clear();
    std::vector<PushMessage> msgs;
    msgs.reserve(page.size());
    for (const OutboxMessage& it : page) {
      queued[it.id] = &it;
      msgs.push_back(push_message_of(it));
    }
    if (auto s = store.begin(); !s) {
      storage = s.error();
      break;
    }
    in_tx = 0;
    auto st = crm.push_all(msgs, done);
    if (storage) {
      store.rollback();
    } else if (auto c = store.commit(); !c) {
      storage = c.error();
    }
    if (!st && !fatal) fatal = st.error();
  }
  const CrmRequestCounts sent = crm.request_counts();
  out.sent = CrmRequestCounts{sent.http - sent_before.http, sent.counted - sent_before.counted,
                              sent.throttled - sent_before.throttled};
  return out;
}

}  // namespace crmr
