// The report model: building entries, totals, timestamps, and the text
// helpers the writers share. Writers live in report_json.cc (with the JSON
// string writer in report_json_write.cc), report_csv.cc, report_text.cc,
// report_html.cc; the streaming file writer and write_report_file in
// report_file.cc.
//
// Memory: a RunReport holds every entry of the run; for long runs (backfills
// of millions of messages) callers stream entries through a ReportWriter and
// keep only a RunHeader.
#include "core/report/report.h"
#include "core/base/utf8.h"

#include <chrono>
#include <cstdio>
#include <utility>
#include <vector>

#include "core/report/report_internal.h"

namespace crmr {

std::map<std::string, std::uint64_t> RunReport::totals() const {
  std::map<std::string, std::uint64_t> t;
  for (const char* o : report_detail::kOutcomes) t[o] = 0;
  for (const auto& m : messages) ++t[m.outcome];  // an unknown outcome counts under its name
  return t;
}

double RunReport::messages_per_s() const {
  return elapsed_s > 0 ? static_cast<double>(messages.size()) / elapsed_s : 0.0;
}

RunHeader RunReport::header() const {
  return RunHeader{command,  dry_run,   id,
                   crm_url,  started,   finished,
                   elapsed_s, messages.size(), totals(), mailboxes, crm};
}

void RunHeader::tally(const ReportEntry& e) {
  ++messages;
  ++totals[e.outcome];
}

double RunHeader::messages_per_s() const {
  return elapsed_s > 0 ? static_cast<double>(messages) / elapsed_s : 0.0;
}

ReportEntry make_entry(const std::string& source, const std::string& position,
                       const Message& msg, const Decision& d) {
  ReportEntry e;
  e.source = source;
  e.position = position;
  e.message_id = msg.message_id;
  e.key = d.key;
  if (msg.date) e.date = iso_utc(*msg.date);
  if (!msg.from.empty()) e.from = msg.from.front().address;
  e.subject = msg.subject;
  e.outcome = to_string(d.outcome);
  e.reason = d.reason;
  e.correlation = to_string(d.correlation);
  e.regarding = d.regarding;
  e.correlated_activity_id = d.correlated_activity_id;
  e.accepted_by = d.accepted_by;
  e.parties = d.parties;
  e.attachments = d.attachments;
  e.warnings = msg.warnings;
  e.steps = d.steps;
  // error, activity_id and queues are filled in later by the pipeline (quarantine, push).
  return e;
}

std::string crm_web_base(const std::string& api_url) {
  const auto scheme = api_url.find("://");
  if (scheme == std::string::npos) return {};
  const std::string proto = api_url.substr(0, scheme);
  if (proto != "https" && proto != "http") return {};
  const auto path = api_url.find('/', scheme + 3);
  const std::string host = api_url.substr(scheme + 3, path == std::string::npos ? std::string::npos : path - scheme - 3);
  if (host.empty()) return {};
  return proto + "://" + host + "/";
}

namespace report_detail {

std::map<std::string, std::uint64_t> with_all_outcomes(
    std::map<std::string, std::uint64_t> totals) {
  for (const char* o : kOutcomes) totals.try_emplace(o, 0);
  return totals;
}

long next_code_point(std::string_view s, std::size_t& i) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  if (c < 0x80) { ++i; return c; }
  int len = 0;
  long cp = 0;
  long min = 0;
  if ((c & 0xE0) == 0xC0) { len = 2; cp = c & 0x1F; min = 0x80; }
  else if ((c & 0xF0) == 0xE0) { len = 3; cp = c & 0x0F; min = 0x800; }
  else if ((c & 0xF8) == 0xF0) { len = 4; cp = c & 0x07; min = 0x10000; }
  else { ++i; return -1; }
  if (i + len > s.size()) { ++i; return -1; }
  for (int k = 1; k < len; ++k) {
    if ((b(i + k) & 0xC0) != 0x80) { ++i; return -1; }
    cp = (cp << 6) | (b(i + k) & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) { ++i; return -1; }
  i += len;
  return cp;
}

namespace {


constexpr long kReplacement = 0xFFFD;

bool is_control_or_bidi(long cp) {
  return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F) ||
         (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x2028 ||
         cp == 0x2029;
}

}  // namespace

std::string utf8_clean(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const long cp = next_code_point(s, i);
    append_utf8(out, static_cast<char32_t>(cp < 0 ? kReplacement : cp));
  }
  return out;
}

namespace {

// Columns a code point takes on a terminal: 0 for combining marks and
// zero-width characters, 2 for East Asian wide and fullwidth characters
// (CJK, Hangul, fullwidth forms, most emoji), else 1. From Unicode's
// EastAsianWidth (W, F) and general categories Mn/Me, as wcwidth() does, but
// without depending on the process's locale or on the platform's C library.
int columns_of(long cp) {
  struct Range { long lo, hi; };
  static constexpr Range kZero[] = {
      {0x0300, 0x036F}, {0x0483, 0x0489}, {0x0591, 0x05BD}, {0x0610, 0x061A},
      {0x064B, 0x065F}, {0x0E31, 0x0E31}, {0x0E34, 0x0E3A}, {0x0E47, 0x0E4E},
      {0x1AB0, 0x1AFF}, {0x1DC0, 0x1DFF}, {0x200B, 0x200F}, {0x20D0, 0x20FF},
      {0xFE00, 0xFE0F}, {0xFE20, 0xFE2F}, {0xFEFF, 0xFEFF}, {0xE0100, 0xE01EF}};
  static constexpr Range kWide[] = {
      {0x1100, 0x115F}, {0x231A, 0x231B}, {0x2329, 0x232A}, {0x23E9, 0x23EC},
      {0x23F0, 0x23F0}, {0x23F3, 0x23F3}, {0x25FD, 0x25FE}, {0x2614, 0x2615},
      {0x2648, 0x2653}, {0x267F, 0x267F}, {0x2693, 0x2693}, {0x26A1, 0x26A1},
      {0x26AA, 0x26AB}, {0x26BD, 0x26BE}, {0x26C4, 0x26C5}, {0x26CE, 0x26CE},
      {0x26D4, 0x26D4}, {0x26EA, 0x26EA}, {0x26F2, 0x26F3}, {0x26F5, 0x26F5},
      {0x26FA, 0x26FA}, {0x26FD, 0x26FD}, {0x2705, 0x2705}, {0x270A, 0x270B},
      {0x2728, 0x2728}, {0x274C, 0x274C}, {0x274E, 0x274E}, {0x2753, 0x2755},
      {0x2757, 0x2757}, {0x2795, 0x2797}, {0x27B0, 0x27B0}, {0x27BF, 0x27BF},
      {0x2B1B, 0x2B1C}, {0x2B50, 0x2B50}, {0x2B55, 0x2B55}, {0x2E80, 0x303E},
      {0x3041, 0x33FF}, {0x3400, 0x4DBF}, {0x4E00, 0x9FFF}, {0xA000, 0xA4CF},
      {0xA960, 0xA97F}, {0xAC00, 0xD7A3}, {0xF900, 0xFAFF}, {0xFE10, 0xFE19},
      {0xFE30, 0xFE6F}, {0xFF00, 0xFF60}, {0xFFE0, 0xFFE6}, {0x16FE0, 0x16FE4},
      {0x17000, 0x18CFF}, {0x1B000, 0x1B2FF}, {0x1F004, 0x1F004}, {0x1F0CF, 0x1F0CF},
      {0x1F18E, 0x1F18E}, {0x1F191, 0x1F19A}, {0x1F200, 0x1F251}, {0x1F300, 0x1F64F},
      {0x1F680, 0x1F6FF}, {0x1F7E0, 0x1F7EB}, {0x1F90C, 0x1F9FF}, {0x1FA70, 0x1FAFF},
      {0x20000, 0x2FFFD}, {0x30000, 0x3FFFD}};
  auto in = [cp](const auto& table) {
    for (const Range& r : table)
      if (cp >= r.lo && cp <= r.hi) return true;
    return false;
  };
  if (cp < 0x300) return 1;
  if (in(kZero)) return 0;
  return in(kWide) ? 2 : 1;
}

}  // namespace

std::string terminal_line(std::string_view s, std::size_t max_columns) {
  // Code points and their columns, until the line is full.
  std::string out;
  std::vector<std::pair<std::size_t, int>> kept;  // (byte offset in out, columns)
  std::size_t used = 0;
  for (std::size_t i = 0; i < s.size();) {
    long cp = next_code_point(s, i);
    if (cp < 0) cp = kReplacement;
    if (is_control_or_bidi(cp)) cp = ' ';
    const int w = columns_of(cp);
    if (used + w > max_columns) {
      // Cut: drop code points from the end until the ellipsis fits.
      while (!kept.empty() && used + 1 > max_columns) {
        used -= kept.back().second;
        out.resize(kept.back().first);
        kept.pop_back();
      }
      if (used + 1 <= max_columns) out += "\u2026";
      return out;
    }
    kept.emplace_back(out.size(), w);
    append_utf8(out, static_cast<char32_t>(cp));
    used += w;
  }
  return out;
}

std::size_t terminal_columns(std::string_view s) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < s.size();) {
    const long cp = next_code_point(s, i);
    n += cp < 0 ? 1 : columns_of(cp);
  }
  return n;
}

std::string column(std::string_view s, std::size_t width) {
  std::string out = terminal_line(s, width);
  const std::size_t used = terminal_columns(out);
  if (used < width) out.append(width - used, ' ');
  return out;
}

std::string format_seconds(double s) {
  char buf[32];
  if (s < 10) std::snprintf(buf, sizeof buf, "%.2f", s);
  else if (s < 100) std::snprintf(buf, sizeof buf, "%.1f", s);
  else std::snprintf(buf, sizeof buf, "%.0f", s);
  return buf;
}

}  // namespace report_detail
}  // namespace crmr
