// HTML report writer: one self-contained page (no external assets, no
// network), written as a stream. The header, totals donut and legend are
// written here with HTML escaping; the message table is rendered in the
// browser by the script in report_html_page.inc from the embedded JSON.
//
// Page order in the file: head and style, the table controls, the entries
// in <script type="application/json" class="report-rows"> blocks of
// kBlockEntries (each a JSON array of "messages" elements), then — known only
// at the end — the run header, the donut, the mailboxes of a `run` (status,
// counts, the error of a failed one), the cap note, the "run" object in
// <script type="application/json" id="report-run">, and the page script. CSS
// (flex order) shows the run header and donut above the table.
//
// Size cap: a browser cannot open a page of millions of entries, so at most
// ReportWriterOptions::html_max_entries entries and html_max_bytes of entry
// JSON are embedded (the first ones, in reading order); the page then says
// how many it holds and that the JSON/CSV report holds all. The run info and
// donut always count every entry.
//
// Embedding: the JSON has every '<', '>' and '&' written as \u003c, \u003e,
// \u0026 (they only occur inside JSON strings, so the data is unchanged). No
// "</script" and no "<!--" can appear, so a hostile subject cannot end or
// bend the script element.
#include <algorithm>
#include <cstdio>
#include <map>
#include <vector>
#include <ostream>

#include "core/base/html_escape.h"
#include "core/base/number_format.h"
#include "core/report/report.h"
#include "core/report/report_internal.h"

namespace crmr {
namespace {

#include "core/report/report_html_page.inc"

// Escaped for HTML, with bad UTF-8 replaced first.
std::string html_text(std::string_view raw) { return html_escape(report_detail::utf8_clean(raw)); }

std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

void write_run_info(const RunHeader& r, std::ostream& out) {
  const auto item = [&](const char* label, const std::string& value) {
    out << "<div><dt>" << label << "</dt><dd>" << html_text(value) << "</dd></div>";
  };
  out << "<header><h1>crm-router report</h1><dl class=\"run\">";
  item("Run", r.id > 0 ? std::to_string(r.id) : std::string("not kept (dry run)"));
  item("Command", r.command.empty() ? "-" : r.command);
  item("Mode", r.dry_run ? "dry run" : "live");
  item("Started", r.started);
  item("Finished", r.finished);
  item("Elapsed", report_detail::format_seconds(r.elapsed_s) + " s");
  item("Messages", thousands(r.messages));
  item("Throughput", per_second(r.messages_per_s()) + " messages/s");
  out << "</dl></header>\n";
}

// Totals as a donut (one stroke-dashed circle per outcome on a circumference
// of 100) with a legend whose buttons filter the table.
void write_summary(const RunHeader& r, std::ostream& out) {
  const auto totals = report_detail::with_all_outcomes(r.totals);
  const double total = static_cast<double>(r.messages);
  std::string label = "Outcomes:";
  for (const char* o : report_detail::kOutcomes)
    label += " " + std::to_string(totals.at(o)) + " " + o + ",";
  label.pop_back();

  out << "<section class=\"summary\"><svg class=\"donut\" viewBox=\"0 0 42 42\" role=\"img\" "
         "aria-label=\""
      << html_text(label) << "\"><title>" << html_text(label) << "</title>"
      << "<circle class=\"ring\" cx=\"21\" cy=\"21\" r=\"15.91549\"/>";
  double start = 0;
  for (const char* o : report_detail::kOutcomes) {
    const std::uint64_t n = totals.at(o);
    if (n == 0 || total == 0) continue;
    const double pct = 100.0 * static_cast<double>(n) / total;
    // Dash offset 25 starts the first segment at 12 o'clock; segments run clockwise.
    out << "<circle class=\"seg o-" << o << "\" cx=\"21\" cy=\"21\" r=\"15.91549\" "
        << "stroke-dasharray=\"" << fixed(pct, 3) << ' ' << fixed(100 - pct, 3)
        << "\" stroke-dashoffset=\"" << fixed(25 - start, 3) << "\"/>";
    start += pct;
  }
  out << "<text x=\"21\" y=\"22.5\">" << r.messages << "</text>"
      << "<text class=\"sub\" x=\"21\" y=\"27.5\">messages</text></svg>\n<ul class=\"legend\">";
  for (const char* o : report_detail::kOutcomes) {
    const std::uint64_t n = totals.at(o);
    out << "<li><button type=\"button\" data-outcome=\"" << o << "\" aria-pressed=\"false\" "
        << "title=\"Show only " << o << " messages\"><span class=\"swatch o-" << o
        << "\"></span>" << o << "<b>" << thousands(n) << "</b><span class=\"pct\">"
        << (total > 0 ? fixed(100.0 * static_cast<double>(n) / total, 1) : std::string("0.0"))
        << "%</span></button></li>";
  }
  out << "</ul>\n";
}

// How many messages each reason sent to each outcome, most first: a table
// whose rows filter the message table by that reason. Closes the summary
// section write_summary opened.
void write_reasons(const std::map<std::pair<std::string, std::string>, std::uint64_t>& by_reason,
                   std::uint64_t total, std::ostream& out) {
  std::vector<std::pair<std::uint64_t, std::pair<std::string, std::string>>> rows;
  for (const auto& [ro, n] : by_reason) rows.push_back({n, ro});
  std::stable_sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  out << "<div class=\"reasons\"><h2>By reason</h2><table class=\"inner\"><thead><tr>"
         "<th>Reason</th><th>Outcome</th><th>Messages</th></tr></thead><tbody>";
  for (const auto& [n, ro] : rows) {
    const auto& [reason, outcome] = ro;
    const std::string label = reason.empty() ? std::string("(none)") : reason;
    bool known = false;
    for (const char* o : report_detail::kOutcomes) known = known || outcome == o;
    out << "<tr><td><button type=\"button\" class=\"reason\" data-reason=\"" << html_text(reason)
        << "\" aria-pressed=\"false\" title=\"Show only messages with reason " << html_text(label)
        << "\">" << html_text(label) << "</button></td><td><span class=\"badge o-"
        << (known ? outcome : std::string("other")) << "\">" << html_text(outcome)
        << "</span></td><td>" << thousands(n) << " <span class=\"pct\">"
        << (total > 0 ? fixed(100.0 * static_cast<double>(n) / static_cast<double>(total), 1)
                      : std::string("0.0"))
        << "%</span></td></tr>";
  }
  out << "</tbody></table></div></section>\n";
}

// `json` with '<', '>', '&' written as JSON escapes, for a <script> element.
std::string script_safe(const std::string& json) {
  std::string out;
  out.reserve(json.size());
  for (char c : json) {
    if (c == '<') out += "\\u003c";
    else if (c == '>') out += "\\u003e";
    else if (c == '&') out += "\\u0026";
    else out += c;
  }
  return out;
}

// The mailboxes a `run` read, as a small table: a failed one shows its error.
// Nothing for runs without mailboxes (import, push).
void write_mailboxes(const RunHeader& r, std::ostream& out) {
  if (r.mailboxes.empty()) return;
  out << "<section class=\"mailboxes\" aria-label=\"Mailboxes\"><h2>Mailboxes</h2>"
         "<table class=\"inner\"><thead><tr><th>Mailbox</th><th>Status</th><th>Messages</th>"
         "<th>Bytes</th><th>Error</th></tr></thead><tbody>";
  for (const auto& m : r.mailboxes) {
    const char* colour = m.status == "ok" ? "o-pushed" : m.status == "failed" ? "o-failed" : "o-tossed";
    std::string note = m.error;
    if (note.empty() && m.status == "skipped")
      note = "not read: the run's --limit was reached before it";
    else if (note.empty() && m.limit_reached)
      note = "limit reached: the rest waits for the next run";
    if (m.skipped_by_date > 0)
      note += (note.empty() ? "" : "; ") + std::to_string(m.skipped_by_date) +
              " older than its since (not fetched)";
    for (const auto& w : m.warnings) note += (note.empty() ? "warning: " : "; warning: ") + w;
    out << "<tr class=\"mailbox-" << html_text(m.status) << "\"><td>" << html_text(m.name)
        << "</td><td><span class=\"badge " << colour << "\">" << html_text(m.status)
        << "</span></td><td>" << thousands(m.messages) << "</td><td>" << thousands(m.bytes)
        << "</td><td" << (m.error.empty() ? " class=\"muted\"" : " class=\"error\"") << ">"
        << html_text(note) << "</td></tr>";
  }
  out << "</tbody></table></section>\n";
}

constexpr std::size_t kBlockEntries = 1000;

class HtmlStream final : public report_detail::FormatStream {
 public:
  HtmlStream(std::ostream& out, const ReportWriterOptions& opt) : out_(out), opt_(opt) {
    out_ << kPageHead << "<title>crm-router report</title>\n" << kPageStyle << "</head>\n<body>\n"
         << "<main>\n<div class=\"controls\">"
            "<input id=\"filter\" type=\"search\" placeholder=\"Filter: address, subject, "
            "reason, id\u2026\" aria-label=\"Filter messages\" autocomplete=\"off\">"
            "<select id=\"outcome\" aria-label=\"Outcome\"><option value=\"\">All outcomes"
            "</option></select><span id=\"count\" class=\"count\"></span></div>\n"
            "<noscript><p>The message table needs JavaScript; the same data is in the "
            "report-rows blocks of this file and in the JSON report.</p></noscript>\n"
            "<div class=\"tablewrap\"><table id=\"messages\"><thead><tr></tr></thead>"
            "<tbody></tbody></table></div>\n"
            "<button type=\"button\" id=\"more\" class=\"more\" hidden>Show more</button>\n"
            "</main>\n";
  }

  void add(const ReportEntry& e) override {
    ++by_reason_[{e.reason, e.outcome}];  // every entry, embedded or not
    if (capped_ || embedded_ >= opt_.html_max_entries) {
      capped_ = true;
      return;
    }
    line_.clear();
    report_detail::append_entry_json(line_, e, /*html_safe=*/true);
    if (bytes_ + line_.size() > opt_.html_max_bytes) {
      capped_ = true;
      return;
    }
    out_ << (in_block_ == 0 ? "<script type=\"application/json\" class=\"report-rows\">[" : ",\n");
    out_.write(line_.data(), static_cast<std::streamsize>(line_.size()));
    bytes_ += line_.size();
    ++embedded_;
    if (++in_block_ == kBlockEntries) close_block();
  }

  void finish(const RunHeader& run) override {
    close_block();
    write_run_info(run, out_);
    out_ << "<div class=\"overview\">\n";
    write_summary(run, out_);
    write_reasons(by_reason_, run.messages, out_);
    write_mailboxes(run, out_);
    if (embedded_ < run.messages)
      out_ << "<p class=\"note\" role=\"note\">This page holds the first "
           << thousands(embedded_) << " of " << thousands(run.messages)
           << " messages, so that a browser can still open it. The JSON and CSV reports "
              "(crm-router --report FILE.json or FILE.csv) hold every message.</p>\n";
    out_ << "</div>\n<script type=\"application/json\" id=\"report-run\">"
         << script_safe(run_to_json(run)) << "</script>\n"
         << kPageScript << "</body>\n</html>\n";
  }

 private:
  void close_block() {
    if (in_block_ == 0) return;
    out_ << "]</script>\n";
    in_block_ = 0;
  }

  std::ostream& out_;
  ReportWriterOptions opt_;
  // (reason, outcome) -> messages: a handful of rows, whatever the run's size.
  std::map<std::pair<std::string, std::string>, std::uint64_t> by_reason_;
  std::string line_;  // reused for every entry
  std::uint64_t embedded_ = 0;
  std::size_t bytes_ = 0;
  std::size_t in_block_ = 0;
  bool capped_ = false;
};

}  // namespace

namespace report_detail {
std::unique_ptr<FormatStream> make_html_stream(std::ostream& out, const ReportWriterOptions& opt) {
  return std::make_unique<HtmlStream>(out, opt);
}
}  // namespace report_detail

// The same page as a streamed one, with the default cap.
void write_html(const RunReport& r, std::ostream& out) {
  HtmlStream stream(out, ReportWriterOptions{});
  for (const auto& e : r.messages) stream.add(e);
  stream.finish(r.header());
}

}  // namespace crmr
