// The report model: one entry per message, plus run totals and (for `run`)
// what became of each configured mailbox. Writers for
// text summary, JSON (stable, documented in crm-router.1), CSV and HTML, as
// whole-run functions (RunReport in memory) and as a streaming ReportWriter
// that writes each entry as it comes and keeps none (constant memory).
#pragma once

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/base/iso_time.h"  // iso_now, iso_utc: the report's date format
#include "core/decision/decision.h"
#include "core/queue_item.h"
#include "core/result.h"

namespace crmr {

struct ReportEntry {
  std::string source;
  std::string position;
  std::string message_id;
  std::string key;
  std::string date;      // ISO 8601 UTC, e.g. "2026-05-01T10:00:00Z"; empty if unknown
  std::string from;      // first From address
  std::string forwarded_by;  // forward mailbox: the forwarding user (outer From) of an
                             // unwrapped message; empty when the message was not unwrapped
  std::string subject;
  std::string outcome;   // pushed queued duplicate tossed quarantined failed
  std::string reason;
  std::string correlation;  // in_reply_to tracking_token conversation_index smart_match none
  std::optional<Regarding> regarding;
  std::string correlated_activity_id;  // the tracked e-mail it correlated with (or duplicates)
  std::vector<Acceptor> accepted_by;   // every CRM user or queue that takes it (accepted only)
  std::vector<Party> parties;
  std::vector<AttachmentVerdict> attachments;
  std::vector<std::string> warnings;
  std::string error;
  std::string activity_id;   // CRM activity id once pushed
  std::vector<QueueItemRef> queues;  // once pushed: the queues the e-mail is in
  std::vector<Step> steps;   // the decision trace (HTML detail, explain)
};

// One configured mailbox of a `run`: read or not, and what came of it. A
// mailbox that could not be reached or refused the login is "failed" with
// the reason in `error`; the run goes on with the others (exit status 4).
struct MailboxStatus {
  std::string name;
  std::string status;           // ok, failed, skipped (--limit reached before it)
  std::string error;            // why it failed (problems joined by "; "); empty otherwise
  std::uint64_t messages = 0;   // fetched and decided
  std::uint64_t bytes = 0;
  bool limit_reached = false;   // a limit ended it early; the rest waits for the next run
  std::uint64_t skipped_by_date = 0;  // listed but older than its since: not fetched
  std::vector<std::string> warnings;  // a server's answers disagreed, mail kept instead of deleted, ...
};

// What a run's push sent to the CRM; all zero when it pushed nothing.
struct CrmUsage {
  std::uint64_t messages = 0;   // messages the push finished (pushed, quarantined or left queued)
  std::uint64_t requests = 0;   // HTTP requests, every attempt (not the token endpoint's)
  std::uint64_t counted = 0;    // as the CRM's service protection counts them: a $batch its inner requests
  std::uint64_t throttled = 0;  // 429 answers
  double requests_per_message() const { return messages ? double(requests) / double(messages) : 0.0; }
  double counted_per_message() const { return messages ? double(counted) / double(messages) : 0.0; }
  CrmUsage& operator+=(const CrmUsage& o) {
    messages += o.messages, requests += o.requests, counted += o.counted, throttled += o.throttled;
    return *this;
  }
};

// Totals and timings of a run, without its entries.
struct RunHeader {
  std::string command;    // import, run, push
  bool dry_run = false;
  std::int64_t id = 0;    // the run's id in the history (report --run ID); 0: dry run
  // The CRM's web address when [crm] url is set (scheme and host, e.g.
  // "https://contoso.crm4.dynamics.com/"): the HTML report links records there.
  std::string crm_url;
  std::string started;    // ISO 8601 UTC
  std::string finished;
  double elapsed_s = 0;
  std::uint64_t messages = 0;
  std::map<std::string, std::uint64_t> totals;  // outcome -> count; a missing outcome is 0
  std::vector<MailboxStatus> mailboxes;  // `run` only, in the order read; else empty
  CrmUsage crm;  // what its push sent to the CRM

  // Count one entry (messages and its outcome), for callers that stream.
  void tally(const ReportEntry& e);
  double messages_per_s() const;
};

struct RunReport {
  std::string command;    // import, run, push
  bool dry_run = false;
  std::int64_t id = 0;    // as RunHeader::id
  std::string crm_url;    // as RunHeader::crm_url
  std::string started;    // ISO 8601 UTC
  std::string finished;
  double elapsed_s = 0;
  std::vector<ReportEntry> messages;
  std::vector<MailboxStatus> mailboxes;  // as RunHeader::mailboxes
  CrmUsage crm;                          // as RunHeader::crm

  std::map<std::string, std::uint64_t> totals() const;  // outcome -> count, all six keys
  double messages_per_s() const;
  RunHeader header() const;  // the run fields, messages.size(), totals() and mailboxes
};

// Build an entry from a parsed message and its decision.
ReportEntry make_entry(const std::string& source, const std::string& position,
                       const Message& msg, const Decision& d);

// write_text_summary: the totals line, the mailbox lines, then (verbose) one
// line per message or (not verbose) the quarantined and failed messages. Its
// parts are public so a streaming caller can print the -v lines as messages
// are decided and the totals and mailboxes at the end.
void write_text_summary(const RunReport& r, std::ostream& out, bool verbose);
void write_summary_line(const RunHeader& run, std::ostream& out);  // one line, with '\n'
// "CRM requests: 1.02 per message (...)" when the run pushed; else nothing.
void write_crm_line(const RunHeader& run, std::ostream& out);
void write_text_line(const ReportEntry& e, std::ostream& out);     // one line, with '\n'
// The header row of write_text_line's columns (POSITION OUTCOME REASON ...).
void write_text_header(std::ostream& out);
// "Mailboxes: 1 ok, 1 failed" and one line per mailbox (name, status, counts,
// error); nothing when the run read no mailboxes.
// `with_errors` false: a failed mailbox's error is left out ("(error above)"),
// for a summary printed after the errors were shown as they happened.
void write_mailbox_lines(const RunHeader& run, std::ostream& out, bool with_errors = true);

// write_json writes "run" first, then "messages"; a streamed JSON report
// (ReportWriter) writes "messages" first and "run" last. read_json reads both.
void write_json(const RunReport& r, std::ostream& out);
void write_csv(const RunReport& r, std::ostream& out);
void write_html(const RunReport& r, std::ostream& out);
Result<RunReport> read_json(const std::string& json);

// One entry as a JSON object on one line (exactly an element of "messages"
// in the JSON report: same keys, order and null rules), and back. Used to
// store each decision in the ledger/outbox. Invalid UTF-8 is written as
// U+FFFD, so the output is always valid UTF-8 JSON. entry_from_json fails
// with report.bad_json when the text is not JSON of that shape.
std::string entry_to_json(const ReportEntry& e);
Result<ReportEntry> entry_from_json(const std::string& json);

// A report file written while the run goes on: each entry is written as it
// is added and not kept, so memory does not grow with the run. The file is
// written into a temporary file next to the target (".<name>.<random>.tmp")
// and renamed over the target by finish(); destroying the writer without a
// successful finish() removes the temporary file and leaves the target as it
// was. A failed add() or finish() is final: every later call fails too.
// One writer is used by one thread at a time.
//
// Per format: .json "messages" first, "run" last (see write_json); .csv one
// row per entry, as write_csv; .txt one write_text_line per entry, then the
// write_summary_line at the end; .html/.htm the entries embedded in blocks of
// 1000 as they come, the run info and totals at the end (placed at the top of
// the page by CSS). A page embeds at most ReportWriterOptions::html_max_entries
// entries and html_max_bytes of entry JSON (the first ones, in reading order),
// so a browser can still open it; beyond that it says so and points to the
// JSON/CSV report, which always hold every entry. Totals count every entry.
class ReportWriter {
 public:
  virtual ~ReportWriter() = default;
  virtual Status add(const ReportEntry& e) = 0;
  // Write the run header and complete the file. The file's message count
  // and totals are counted from the entries added; run.messages and
  // run.totals are not used, so the file is always consistent.
  virtual Status finish(const RunHeader& run) = 0;
};

// Limits of what an HTML page embeds. 64 MiB of entry JSON is ~30,000 entries
// with long decision traces or ~100,000 short ones: a page a browser opens in
// a few seconds. Other formats have no limits.
struct ReportWriterOptions {
  std::size_t html_max_entries = 200'000;
  std::size_t html_max_bytes = std::size_t{64} << 20;
};

// A writer for `path`, format chosen by extension as write_report_file.
// Fails with report.format (unknown extension) or report.write (cannot
// create the temporary file).
Result<std::unique_ptr<ReportWriter>> open_report_writer(const std::string& path,
                                                         const ReportWriterOptions& options = {});

// A writer onto a stream the caller owns (e.g. standard output); `format` is
// json, csv, html or text. Fails with report.format for another name.
Result<std::unique_ptr<ReportWriter>> open_report_stream(std::ostream& out,
                                                         const std::string& format);

// Write to `path`, format chosen by extension (.json .csv .html/.htm .txt),
// through open_report_writer: the file is the same as a streamed one.
Status write_report_file(const RunReport& r, const std::string& path);

// The "run" object of the JSON report on one line, e.g. to store with a run.
std::string run_to_json(const RunHeader& run);

// The web address records of the CRM are opened at, from its Web API url:
// "https://contoso.crm4.dynamics.com/api/data/v9.2/" gives
// "https://contoso.crm4.dynamics.com/". Empty when `api_url` is not http(s).
std::string crm_web_base(const std::string& api_url);

}  // namespace crmr
