// CSV report writer: RFC 4180 (CRLF line ends, fields quoted when they hold a
// comma, double quote, CR or LF, quotes doubled), UTF-8 without a BOM.
//
// Spreadsheet formula injection: a field whose first character is = + - @
// (or TAB or CR, which some spreadsheets skip before a formula) gets a leading
// apostrophe, so a hostile subject like "=HYPERLINK(...)" is shown as text
// when the file is opened in Excel or LibreOffice. Machines reading the file
// see that apostrophe; it is applied to every column, including "position".
// Invalid UTF-8 is replaced by U+FFFD.
//
// Columns: source,position,message_id,date,from,subject,outcome,reason,
// correlation,regarding_entity,regarding_id,parties,attachments,warnings,
// error,activity_id,forwarded_by,queues. parties: "role:address=entity/id" (or
// "role:address" when unresolved) joined by "; "; attachments: "name (bytes,
// kept)" or "name (bytes, left out: why)" joined by "; "; warnings joined by
// "; "; forwarded_by empty unless the message was unwrapped from a forward
// (a late column, so readers that count columns find the others as before);
// queues: the names of the queues a pushed e-mail is in, joined by "; " (the
// last column, for the same reason).
//
// One row per message and nothing else: the CSV has no run header, so the
// run's mailbox list (a mailbox that failed or was skipped, RunHeader::
// mailboxes) is not in it. It is in the JSON, HTML and text reports, and a
// failed mailbox makes the exit status 4.
#include <ostream>

#include "core/report/report.h"
#include "core/report/report_internal.h"

namespace crmr {
namespace {

std::string csv_field(std::string_view raw) {
  std::string s = report_detail::utf8_clean(raw);
  if (!s.empty() && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' ||
                     s[0] == '\r'))
    s.insert(0, 1, '\'');
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) {
    if (c == '"') q += '"';
    q += c;
  }
  q += '"';
  return q;
}

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) {
    if (!out.empty()) out += "; ";
    out += p;
  }
  return out;
}

std::string parties_cell(const std::vector<Party>& parties) {
  std::vector<std::string> parts;
  for (const auto& p : parties) {
    std::string s = p.role + ":" + p.address;
    if (!p.entity.empty() || !p.id.empty()) s += "=" + p.entity + "/" + p.id;
    parts.push_back(std::move(s));
  }
  return join(parts);
}

std::string attachments_cell(const std::vector<AttachmentVerdict>& attachments) {
  std::vector<std::string> parts;
  for (const auto& a : attachments)
    parts.push_back(a.filename + " (" + std::to_string(a.bytes) + ", " +
                    (a.kept ? std::string("kept") : "left out: " + a.why) + ")");
  return join(parts);
}

std::string queues_cell(const std::vector<QueueItemRef>& queues) {
  std::vector<std::string> names;
  for (const auto& q : queues) names.push_back(q.queue.empty() ? q.queue_id : q.queue);
  return join(names);
}

void write_row(const ReportEntry& e, std::ostream& out) {
  const std::string cells[] = {e.source,
                               e.position,
                               e.message_id,
                               e.date,
                               e.from,
                               e.subject,
                               e.outcome,
                               e.reason,
                               e.correlation,
                               e.regarding ? e.regarding->entity : std::string(),
                               e.regarding ? e.regarding->id : std::string(),
                               parties_cell(e.parties),
                               attachments_cell(e.attachments),
                               join(e.warnings),
                               e.error,
                               e.activity_id,
                               e.forwarded_by,
                               queues_cell(e.queues)};
  std::string row = csv_field(cells[0]);
  for (std::size_t i = 1; i < std::size(cells); ++i) {
    row += ',';
    row += csv_field(cells[i]);
  }
  row += "\r\n";
  out.write(row.data(), static_cast<std::streamsize>(row.size()));
}

// Rows as they come; the CSV report has no run header.
class CsvStream final : public report_detail::FormatStream {
 public:
  explicit CsvStream(std::ostream& out) : out_(out) {
    out_ << "source,position,message_id,date,from,subject,outcome,reason,correlation,"
            "regarding_entity,regarding_id,parties,attachments,warnings,error,activity_id,"
            "forwarded_by,queues\r\n";
  }
  void add(const ReportEntry& e) override { write_row(e, out_); }
  void finish(const RunHeader&) override {}

 private:
  std::ostream& out_;
};

}  // namespace

namespace report_detail {
std::unique_ptr<FormatStream> make_csv_stream(std::ostream& out) {
  return std::make_unique<CsvStream>(out);
}
}  // namespace report_detail

void write_csv(const RunReport& r, std::ostream& out) {
  CsvStream stream(out);
  for (const auto& e : r.messages) stream.add(e);
}

}  // namespace crmr
