// The short human summary printed on stdout after a run. All message text is
// made terminal-safe (control characters, ANSI escapes and bidi overrides in
// a hostile subject are shown as spaces; invalid UTF-8 as U+FFFD).
//
//   3900 messages in 0.35 s (11143/s): 0 pushed, 12 queued, 3 duplicate, ...
//
// A run that pushed then says what it cost in CRM requests:
//
//   CRM requests: 1.02 per message (408 for 400 messages; 2.02 per message as
//   service protection counts them, a $batch by its requests: 808); 0 answered 429
//
// verbose: then a header row and one line per message (position, outcome,
// reason, correlation, from, subject cut to 60 characters, then the CRM
// activity id of a pushed message, the queues its e-mail is in, and the
// error, if any). Not verbose: only the
// quarantined and failed messages, with where they came from and their error,
// because an administrator has to act on those.
//
// After the totals line, a run that read mailboxes lists them (failed ones
// with their error, so a skipped mailbox is seen in the report):
//
//   Mailboxes: 1 ok, 1 failed
//     sales: failed, 0 messages, 0 bytes; error: mailbox sales: login failed ...
//     support: ok, 12 messages, 81234 bytes, 3 older than its since (not fetched)
//       warning: mailbox support, folder INBOX: the server's UID SEARCH ...
//
// Every count is written as core/base/number_format.h writes it ("3,900").
// The streamed .txt report is the header row and the verbose lines as they come, then the totals
// line and the mailbox lines at the end (known only then).
#include <cstdio>
#include <ostream>

#include "core/base/number_format.h"
#include "core/report/report.h"
#include "core/report/report_internal.h"

namespace crmr {
namespace {

using report_detail::column;
using report_detail::terminal_line;

std::string totals_line(const RunHeader& r) {
  const auto totals = report_detail::with_all_outcomes(r.totals);
  const std::uint64_t n = r.messages;
  std::string line = thousands(n) + (n == 1 ? " message in " : " messages in ") +
                     report_detail::format_seconds(r.elapsed_s) + " s (" +
                     per_second(r.messages_per_s()) + "/s): ";
  bool first = true;
  const auto add = [&](const std::string& outcome, std::uint64_t count) {
    if (!first) line += ", ";
    line += thousands(count) + " " + terminal_line(outcome, 20);
    first = false;
  };
  for (const char* o : report_detail::kOutcomes) add(o, totals.at(o));
  for (const auto& [outcome, count] : totals) {
    bool known = false;
    for (const char* o : report_detail::kOutcomes) known = known || outcome == o;
    if (!known) add(outcome.empty() ? "without outcome" : outcome, count);
  }
  if (r.dry_run) line += " (dry run)";
  return line;
}

// The .txt report file: the verbose lines as they come, the totals at the end.
class TextStream final : public report_detail::FormatStream {
 public:
  explicit TextStream(std::ostream& out) : out_(out) {}
  void add(const ReportEntry& e) override {
    if (!header_written_) write_text_header(out_);
    header_written_ = true;
    write_text_line(e, out_);
  }
  void finish(const RunHeader& run) override {
    write_summary_line(run, out_);
    write_crm_line(run, out_);
    write_mailbox_lines(run, out_);
  }

 private:
  std::ostream& out_;
  bool header_written_ = false;
};

}  // namespace

namespace report_detail {
std::unique_ptr<FormatStream> make_text_stream(std::ostream& out) {
  return std::make_unique<TextStream>(out);
}
}  // namespace report_detail

void write_summary_line(const RunHeader& run, std::ostream& out) {
  out << totals_line(run) << '\n';
}

void write_crm_line(const RunHeader& run, std::ostream& out) {
  const CrmUsage& c = run.crm;
  if (c.messages == 0) return;
  char per[32], counted[32];
  std::snprintf(per, sizeof per, "%.2f", c.requests_per_message());
  std::snprintf(counted, sizeof counted, "%.2f", c.counted_per_message());
  out << "CRM requests: " << per << " per message (" << thousands(c.requests) << " for "
      << thousands(c.messages) << (c.messages == 1 ? " message" : " messages") << "; " << counted
      << " per message as service protection counts them, a $batch by its requests: "
      << thousands(c.counted) << "); " << thousands(c.throttled) << " answered 429\n";
}

void write_mailbox_lines(const RunHeader& run, std::ostream& out, bool with_errors) {
  if (run.mailboxes.empty()) return;
  std::string text = "Mailboxes:";
  for (const char* status : {"ok", "failed", "skipped"}) {
    std::size_t n = 0;
    for (const auto& m : run.mailboxes) n += m.status == status;
    if (n > 0) text += (text.back() == ':' ? " " : ", ") + std::to_string(n) + " " + status;
  }
  text += '\n';
  for (const auto& m : run.mailboxes) {
    text += "  " + terminal_line(m.name, 60) + ": " + terminal_line(m.status, 20);
    if (m.status == "skipped") {
      text += " (the run's --limit was reached before it)\n";
      continue;
    }
    text += ", " + thousands(m.messages) + (m.messages == 1 ? " message, " : " messages, ") +
            thousands(m.bytes) + " bytes";
    if (m.skipped_by_date > 0)
      text += ", " + thousands(m.skipped_by_date) + " older than its since (not fetched)";
    if (m.limit_reached) text += ", limit reached (the rest waits for the next run)";
    if (!m.error.empty())
      text += with_errors ? "; error: " + terminal_line(m.error, 300) : std::string(" (error above)");
    text += '\n';
    for (const auto& w : m.warnings) text += "    warning: " + terminal_line(w, 400) + '\n';
  }
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
}

// The columns of write_text_line, in its widths.
constexpr std::size_t kPositionWidth = 12;

void write_text_header(std::ostream& out) {
  std::string line = column("POSITION", kPositionWidth) + ' ' + column("OUTCOME", 11) + ' ' +
                     column("REASON", 22) + ' ' + column("CORRELATION", 18) + ' ' +
                     column("FROM", 32) + " SUBJECT\n";
  out.write(line.data(), static_cast<std::streamsize>(line.size()));
}

void write_text_line(const ReportEntry& e, std::ostream& out) {
  std::string line = column(e.position, kPositionWidth);
  line += ' ';
  line += column(e.outcome, 11);
  line += ' ';
  line += column(e.reason, 22);
  line += ' ';
  line += column(e.correlation, 18);
  line += ' ';
  line += column(e.from, 32);
  line += ' ';
  // What the CRM made of it, after the subject (padded so these line up).
  const bool more = !e.activity_id.empty() || !e.error.empty();
  line += more ? column(e.subject, 60) : terminal_line(e.subject, 60);
  if (!e.activity_id.empty()) line += "  activity " + terminal_line(e.activity_id, 64);
  for (std::size_t i = 0; i < e.queues.size(); ++i)
    line += (i == 0 ? "  in queue " : ", ") +
            terminal_line(e.queues[i].queue.empty() ? e.queues[i].queue_id : e.queues[i].queue, 60);
  if (!e.error.empty()) line += "  error: " + terminal_line(e.error, 200);
  line += '\n';
  out.write(line.data(), static_cast<std::streamsize>(line.size()));
}

void write_text_summary(const RunReport& r, std::ostream& out, bool verbose) {
  const RunHeader header = r.header();
  write_summary_line(header, out);
  write_mailbox_lines(header, out);
  if (verbose) {
    if (!r.messages.empty()) write_text_header(out);
    for (const auto& e : r.messages) write_text_line(e, out);
    return;
  }
  bool heading = false;
  for (const auto& e : r.messages) {
    if (e.outcome != "quarantined" && e.outcome != "failed") continue;
    if (!heading) out << "Needs attention:\n";
    heading = true;
    out << "  " << column(e.outcome, 11) << ' ' << terminal_line(e.source, 80) << ' '
        << terminal_line(e.position, 40) << "  " << terminal_line(e.from, 60) << "  \""
        << terminal_line(e.subject, 60) << "\"\n"
        << "    " << (e.error.empty() ? std::string("(no error text)") : terminal_line(e.error, 300))
        << '\n';
  }
}

}  // namespace crmr
