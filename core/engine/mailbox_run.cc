#include "core/engine/mailbox_run.h"

#include <algorithm>
#include <charconv>
#include <memory>
#include <set>

#include "core/engine/mailbox_cursor.h"
#include "core/engine/mailbox_listing.h"
#include "core/base/crash_point.h"

namespace crmr {
namespace {

constexpr Code kLimitStop = Code::MailboxLimitReached;

std::uint32_t uid_of(const std::string& id) {
  std::uint32_t v = 0;
  std::from_chars(id.data(), id.data() + id.size(), v);
  return v;
}

// What became of one fetched message in this batch.
struct Fetched {
  std::string id;
  bool quarantined = false;
  bool skipped = false;  // outside the pipeline's date filter: not decided, not disposed of
  // Tossed for having no usable sender (a server's stand-in such as Courier's
  // "Cannot display Unicode content"): with after = delete it is disposed of
  // as a quarantined one instead, never deleted.
  bool without_sender = false;
  std::optional<std::int64_t> internal_date;
};

class MailboxRun {
 public:
  MailboxRun(MailboxSession& s, const MailboxSettings& m, StateStore& store, Pipeline& p,
             const MailboxRunOptions& o)
      : s_(s),
        caps_(s.caps()),
        m_(m),
        store_(store),
        p_(p),
        o_(o),
        t0_(std::chrono::steady_clock::now()) {}

  Result<MailboxRunResult> run() {
    for (const auto& folder : m_.folders) {
      if (r_.limit_reached) break;
      auto st = caps_.persistent_uids ? uid_folder(folder) : seen_ids_folder();
      if (!st) return std::unexpected(st.error());
    }
    if (auto st = s_.close(); !st && r_.problems.empty()) {
      // POP3 (removal at logout): without QUIT the server keeps the messages; they come back as
      // duplicates next time and are deleted then. After a folder's problem
      // the logout usually fails for the same reason: that is not repeated.
      r_.problems.push_back(st.error());
    }
    if (kept_without_sender_ > 0)
      r_.notes.push_back("mailbox " + m_.name + ": " + std::to_string(kept_without_sender_) +
                         " message(s) without a usable sender (tossed as InvalidSender, in this run or an "
                         "earlier one: a duplicate now) were " +
                         (m_.quarantine_folder.empty() || !caps_.move
                              ? std::string("kept on the server")
                              : "moved to " + m_.quarantine_folder) +
                         ", not deleted: a server may serve such a stand-in for a message it "
                         "will not show as it is");
    return std::move(r_);
  }

 private:
  // Runs `r` where the store and the pipeline live: on the writer's thread in
  // a parallel run, else here.
  Status on_writer(const WriterChannel::Request& r) const { return writer().call(r); }
  // The writer the store and the pipeline live on (inline: this thread).
  WriterChannel& writer() const { return o_.writer ? *o_.writer : WriterChannel::inline_channel(); }

  // Whether this run reads and moves the cursor (not in a dry run or --once).
  bool keeps_cursor() const { return !o_.dry_run && !o_.once; }
  // The stored cursor of `folder`; none with --once (read from the start).
  Result<std::optional<FolderCursor>> cursor_of(const std::string& folder) const {
    if (o_.once) return std::optional<FolderCursor>{};
    Result<std::optional<FolderCursor>> c;
    auto st = on_writer([&]() -> Status {
      c = load_cursor(store_, m_.name, folder);
      return {};
    });
    if (!st) return std::unexpected(st.error());
    return c;
  }

  // Messages that may still be fetched in this run (count limits).
  std::uint64_t messages_left() const {
    std::uint64_t left = UINT64_MAX;
    if (m_.max_messages_per_run) left = m_.max_messages_per_run - std::min(m_.max_messages_per_run, r_.fetched);
    if (o_.run_limit) {
      std::uint64_t processed = 0;  // the shared pipeline's count, read where it lives
      (void)on_writer([&]() -> Status {
        processed = p_.processed();
        return {};
      });
      left = std::min(left, *o_.run_limit - std::min(*o_.run_limit, processed));
    }
    return left;
  }
  bool out_of_time() const {
    return m_.max_seconds_per_run &&
           std::chrono::steady_clock::now() - t0_ >= std::chrono::seconds(m_.max_seconds_per_run);
  }
  // Checked before each message: a bytes or time limit stops the batch there
  // (at least one message is always taken, so every run makes progress).
  bool must_stop_before(std::size_t next_bytes) const {
    if (r_.fetched == 0) return false;
    if (m_.max_bytes_per_run && r_.bytes + next_bytes > m_.max_bytes_per_run) return true;
    return out_of_time();
  }

  // Fetch `ids`, submitting each message to the pipeline without waiting for
  // its decision (posted to the writer, within the channel's byte budget);
  // the pipeline fills `done` in order as it decides them (all of them once
  // a later flush() has run). Returns the fetch status (kLimitStop when a
  // limit cut the batch short); a store failure is returned through `fatal`.
  // `done` is shared with the callbacks, which run on the writer.
  Status fetch_batch(const std::vector<std::string>& ids, const std::string& folder,
                     const std::shared_ptr<std::vector<Fetched>>& done, std::optional<Error>& fatal) {
    const std::string source = m_.name + "/" + folder;
    return s_.fetch(ids, [&](RemoteMessage&& rm) -> Status {
      if (must_stop_before(rm.bytes.size()))
        return fail(kLimitStop, "limit reached", Scope::Mailbox, Retry::Later);
      RawMessage raw;
      raw.source = source;
      raw.position = std::string(caps_.id_name()) + " " + rm.id;
      raw.envelope_date = rm.internal_date;
      raw.bytes = std::move(rm.bytes);
      crash_point("fetch");
      const std::size_t size = raw.bytes.size();
      r_.bytes += size;
      ++r_.fetched;
      // The callback runs on the writer, when the message is decided.
      OnRouted after = [done, on_message = o_.on_message, id = rm.id,
                        date = rm.internal_date](const Routed& r) {
        done->push_back({id, r.quarantined, !r.decided, r.without_sender, date});
        if (on_message) on_message();
      };
      auto posted = writer().post(
          posts_,
          [this, raw = std::move(raw), after = std::move(after)]() mutable -> Status {
            if (o_.before_submit) o_.before_submit();
            return p_.submit(std::move(raw), std::move(after));
          },
          size);
      if (!posted) {
        fatal = posted.error();
        return fail(posted.error());
      }
      return {};
    });
  }

  // Whether `f` is disposed of as a quarantined message: quarantined, or
  // (after = delete) tossed for having no usable sender.
  bool held(const Fetched& f) const {
    return f.quarantined || (f.without_sender && m_.after.kind == Disposition::Delete);
  }

  // Dispose of a committed batch: quarantined messages (also those an earlier
  // run quarantined, refetched now: see Pipeline::last_quarantined) and, with
  // after = delete, those without a usable sender to quarantine_folder (when
  // set; else they stay as they are), the rest per `after`.
  Status dispose(const std::vector<Fetched>& done) {
    std::vector<std::string> normal, quarantined;
    for (const auto& f : done) {
      if (f.skipped) continue;
      (held(f) ? quarantined : normal).push_back(f.id);
      if (!f.quarantined && held(f)) ++kept_without_sender_;
    }
    if (!quarantined.empty() && !m_.quarantine_folder.empty()) {
      if (auto st = s_.move_to(quarantined, m_.quarantine_folder); !st) return st;
    }
    if (normal.empty()) return {};
    switch (m_.after.kind) {
      case Disposition::Leave: return {};
      case Disposition::Seen: return s_.mark_seen(normal);
      case Disposition::Move: return s_.move_to(normal, m_.after.folder);
      case Disposition::Delete: return s_.remove(normal);
    }
    return {};
  }

  // A problem of this folder: recorded (the mailbox counts as failed), and
  // the run goes on with the next folder.
  Status folder_failed(Error e, const std::string& folder) {
    e.message = "mailbox " + m_.name + ", folder " + folder + ": " + e.message;
    e.scope = Scope::Mailbox;
    r_.problems.push_back(std::move(e));
    return {};
  }

  // One batch as far as it went: the ids asked for, the messages done (in
  // order), and whether a limit cut it short.
  struct Batch {
    std::vector<std::string> ids;
    std::vector<Fetched> done;
    bool stopped = false;
  };
  using RecordBatch = std::function<Status(const Batch&)>;

  // A batch fetched and submitted whose commit (a flush posted to the
  // writer, number `commit` of posts_) has been asked for; `done` fills as
  // its messages are decided.
  struct Committing {
    Batch b;
    std::shared_ptr<std::vector<Fetched>> done;
    std::uint64_t commit = 0;
  };

  // Asks the writer to commit what was submitted, without waiting.
  Result<std::uint64_t> post_commit() {
    return writer().post(posts_, [this] { return p_.flush(); });
  }

  // Once `c`'s commit has run: dispose of its messages, then ask the writer
  // to record it (cursor, seen ids; run after the dispositions, committed
  // with the writer's next commit, or now when nothing is open). A dry run
  // only waits. False when disposing failed (recorded as a problem of the
  // folder unless `quiet`); an Error when the run must stop.
  Result<bool> settle(Committing& c, const std::string& folder, const RecordBatch& record,
                      bool quiet = false) {
    if (auto st = writer().wait(posts_, c.commit); !st) return std::unexpected(st.error());
    c.b.done = std::move(*c.done);  // every callback of the batch has run
    if (o_.dry_run) return true;
    crash_point("dispose_before");
    if (auto st = dispose(c.b.done); !st) {
      if (!quiet) (void)folder_failed(st.error(), folder);  // recorded as a problem; always ok
      return false;
    }
    crash_point("dispose_after");
    if (!keeps_cursor()) return true;
    auto b = std::make_shared<Batch>(std::move(c.b));
    auto posted = writer().post(posts_, [b, &record] { return record(*b); });
    if (!posted) return std::unexpected(posted.error());
    return true;
  }

  // Fetch `ids` of `folder` batch by batch: route each message, commit the
  // batch, dispose of it, then `record` it (cursor, seen ids). A dry run
  // commits, disposes of and records nothing. While the writer decides and
  // commits one batch, the next is fetched; a batch is disposed of only
  // after its commit has run, and recorded after that. Returns true when
  // every batch was done or a limit ended the folder cleanly
  // (r_.limit_reached), false when a folder problem was recorded (the caller
  // leaves the folder); an Error only when the run must stop. Everything it
  // posted has run (or was dropped) when it returns.
  Result<bool> run_batches(const std::vector<std::string>& ids, const std::string& folder,
                           const RecordBatch& record) {
    struct WaitAll {  // `record` and the caller's cursor outlive the requests
      MailboxRun& run;
      ~WaitAll() { (void)run.writer().wait_all(run.posts_); }  // errors were returned already
    } wait_all{*this};
    auto completed = batches(ids, folder, record);
    if (!completed) return completed;
    if (auto st = writer().wait_all(posts_); !st) return std::unexpected(st.error());
    return completed;
  }

  Result<bool> batches(const std::vector<std::string>& ids, const std::string& folder,
                       const RecordBatch& record) {
    if (o_.on_listed) {
      const std::uint64_t n = std::min<std::uint64_t>(ids.size(), messages_left());
      (void)on_writer([&]() -> Status {
        o_.on_listed(n);
        return {};
      });  // a stopped writer fails the next request, which matters
    }
    std::optional<Committing> previous;  // committing while this batch is fetched
    std::size_t i = 0;
    while (i < ids.size()) {
      std::uint64_t left = messages_left();
      if (left == 0 || out_of_time()) {
        r_.limit_reached = true;
        break;
      }
      std::size_t n = std::min<std::uint64_t>({m_.batch_size, ids.size() - i, left});
      Committing c;
      c.b.ids.assign(ids.begin() + i, ids.begin() + i + n);
      c.done = std::make_shared<std::vector<Fetched>>();
      std::optional<Error> fatal;
      Status fetched = fetch_batch(c.b.ids, folder, c.done, fatal);
      if (fatal) return std::unexpected(*fatal);
      // Commit what was decided (also when the fetch broke off), BEFORE disposing.
      auto commit = post_commit();
      if (!commit) return std::unexpected(commit.error());
      c.commit = *commit;
      c.b.stopped = !fetched && fetched.error().code == kLimitStop;
      const bool broke = !fetched && !c.b.stopped;
      if (previous) {
        // After a broken fetch the session may be unusable: a failure to
        // dispose of the previous batch is not told twice.
        auto settled = settle(*previous, folder, record, broke);
        if (!settled) return std::unexpected(settled.error());
        previous.reset();
        if (!*settled && !broke) return false;
      }
      if (broke) {
        // The connection broke mid-batch: what was decided is committed; the
        // batch is not recorded, so it is fetched again (as duplicates).
        if (auto st = writer().wait(posts_, c.commit); !st) return std::unexpected(st.error());
        (void)folder_failed(fetched.error(), folder);  // recorded as a problem; always ok
        return false;
      }
      if (c.b.stopped) {
        auto settled = settle(c, folder, record);
        if (!settled) return std::unexpected(settled.error());
        if (!*settled) return false;
        r_.limit_reached = true;
        return true;
      }
      previous = std::move(c);
      i += n;
    }
    if (previous) return settle(*previous, folder, record);
    return true;
  }

  // One folder of a mailbox with persistent UIDs (IMAP): UIDs above the
  // cursor, batch by batch.
  Status uid_folder(const std::string& folder) {
    auto state = s_.select(folder);
    if (!state) return folder_failed(state.error(), folder);
    auto cursor = cursor_of(folder);
    if (!cursor) return std::unexpected(cursor.error());
    auto start = plan_start(m_, *cursor, *state, caps_);
    if (!start) return folder_failed(start.error(), folder);
    FolderCursor next;
    next.uidvalidity = state->uidvalidity;
    if (*cursor) next.last_date = (*cursor)->last_date;
    next.last_uid = start->after_uid;
    if (start->uidvalidity_changed) {
      r_.notes.push_back("mailbox " + m_.name + ", folder " + folder + ": UIDVALIDITY changed (" +
                         std::to_string((*cursor)->uidvalidity) + " -> " +
                         std::to_string(state->uidvalidity) +
                         "); fetching again by date, the ledger skips what was processed");
    }
    auto listed = listing(folder, *start);
    if (!listed) return std::unexpected(listed.error());
    if (!*listed) return {};
    std::vector<std::string> ids;
    for (auto& id : (*listed)->ids)
      if (uid_of(id) > start->after_uid) ids.push_back(std::move(id));
    std::sort(ids.begin(), ids.end(),
              [](const std::string& a, const std::string& b) { return uid_of(a) < uid_of(b); });

    auto completed = run_batches(ids, folder, [&](const Batch& b) -> Status {
      // The whole batch was asked for; ids missing from `done` were expunged
      // meanwhile. When a limit cut it short, only what was done counts.
      std::uint32_t upto = b.stopped ? (b.done.empty() ? next.last_uid : uid_of(b.done.back().id))
                                     : uid_of(b.ids.back());
      next.last_uid = std::max(next.last_uid, upto);
      for (const auto& f : b.done)
        if (f.internal_date && (!next.last_date || *f.internal_date > *next.last_date))
          next.last_date = f.internal_date;
      crash_point("cursor_before");
      if (auto st = save_cursor(store_, m_.name, folder, next); !st) return st;
      crash_point("cursor_after");
      return {};
    });
    if (!completed) return std::unexpected(completed.error());
    if (!*completed || !keeps_cursor() || r_.limit_reached) return {};
    // The cursor passes only what was listed: fetched, or older than `since`
    // (never up to UIDNEXT-1 on trust: a UID the server did not list waits).
    for (const auto& id : (*listed)->skipped_by_date) next.last_uid = std::max(next.last_uid, uid_of(id));
    return on_writer([&]() -> Status {
      crash_point("cursor_before");
      if (auto st = save_cursor(store_, m_.name, folder, next); !st) return st;
      crash_point("cursor_after");
      return {};
    });
  }

  // A mailbox without persistent UIDs (POP3: INBOX only): every id not yet
  // seen; removal (after = delete) only after commit, effective when the
  // session logs out (DELE).
  Status seen_ids_folder() {
    const std::string folder = "INBOX";
    if (auto state = s_.select(folder); !state) return folder_failed(state.error(), folder);
    auto cursor = cursor_of(folder);
    if (!cursor) return std::unexpected(cursor.error());
    auto start = plan_start(m_, *cursor, FolderState{}, caps_);
    if (!start) return folder_failed(start.error(), folder);
    start->reread = o_.once;
    auto listed = listing(folder, *start);
    if (!listed) return std::unexpected(listed.error());
    if (!*listed) return {};
    const std::vector<std::string>& ids = (*listed)->ids;
    if (keeps_cursor() && !(*listed)->gone.empty()) {
      if (auto st = on_writer([&] { return store_.pop3_forget(m_.name, (*listed)->gone); }); !st)
        return st;
    }

    auto completed = run_batches(ids, folder, [&](const Batch& b) -> Status {
      // Deleted ones vanish at QUIT; the rest are remembered as seen.
      std::vector<std::string> keep;
      for (const auto& f : b.done)
        if (m_.after.kind != Disposition::Delete || f.skipped || held(f)) keep.push_back(f.id);
      return store_.pop3_mark_seen(m_.name, keep);
    });
    if (!completed) return std::unexpected(completed.error());
    if (!*completed || !keeps_cursor() || *cursor) return {};
    return on_writer([&] { return save_cursor(store_, m_.name, folder, FolderCursor{}); });
  }

  // The folder's listing (list_folder), its warnings and date skips counted
  // in the result. Empty when it failed as a problem of the folder
  // (recorded); an Error only when the run must stop (the store failed).
  Result<std::optional<FolderListing>> listing(const std::string& folder, const FetchStart& start) {
    auto listed = list_folder(
        s_, m_,
        [&] {
          Result<std::vector<std::string>> seen;
          auto st = on_writer([&]() -> Status {
            seen = store_.pop3_seen(m_.name);
            return {};
          });
          return st ? seen : Result<std::vector<std::string>>(std::unexpected(st.error()));
        },
        start);
    if (!listed) {
      if (listed.error().scope == Scope::Run) return std::unexpected(listed.error());
      (void)folder_failed(listed.error(), folder);  // recorded as a problem; always ok
      return std::optional<FolderListing>();
    }
    for (const auto& w : listed->warnings)
      r_.notes.push_back("mailbox " + m_.name + ", folder " + folder + ": " + w);
    r_.skipped_by_date += listed->skipped_by_date.size();
    return std::optional<FolderListing>(std::move(*listed));
  }

  MailboxSession& s_;
  const MailboxCapabilities caps_;
  const MailboxSettings& m_;
  StateStore& store_;
  Pipeline& p_;
  const MailboxRunOptions& o_;
  std::chrono::steady_clock::time_point t0_;
  MailboxRunResult r_;
  std::uint64_t kept_without_sender_ = 0;  // not deleted: see Fetched::without_sender
  Posts posts_;  // requests posted to the writer (run_batches waits for them all)
};

}  // namespace

Result<MailboxRunResult> run_mailbox(MailboxSession& s, const MailboxSettings& m,
                                     StateStore& store, Pipeline& pipeline,
                                     const MailboxRunOptions& o) {
  return MailboxRun(s, m, store, pipeline, o).run();
}

}  // namespace crmr
