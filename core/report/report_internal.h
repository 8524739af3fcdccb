// Helpers shared by the report writers (core/report*.cc). Private to
// crmr_core_report: not part of the public report API in core/report/report.h.
#pragma once

#include <array>
#include <cstdint>
#include <iosfwd>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "core/report/report.h"

namespace crmr::report_detail {

// The six outcomes in the order every writer lists them.
inline constexpr std::array<const char*, 6> kOutcomes = {
    "pushed", "queued", "duplicate", "tossed", "quarantined", "failed"};

// `totals` with all six outcomes present (0 when missing).
std::map<std::string, std::uint64_t> with_all_outcomes(std::map<std::string, std::uint64_t> totals);

// Decodes the code point at s[i] and advances i past it. Returns -1 for an
// invalid sequence (overlong, surrogate, beyond U+10FFFF, truncated, stray
// continuation byte), advancing one byte: each such byte becomes one U+FFFD.
long next_code_point(std::string_view s, std::size_t& i);

// `s` with every invalid UTF-8 sequence replaced by U+FFFD.
std::string utf8_clean(std::string_view s);

// `s` made safe for one terminal line: invalid UTF-8 replaced, control
// characters (C0, DEL, C1 — e.g. ANSI escape sequences) shown as spaces, cut
// to at most `max_columns` terminal columns with a trailing "…" when cut. A
// CJK character takes two columns, a combining accent none.
std::string terminal_line(std::string_view s, std::size_t max_columns);

// The terminal columns `s` takes (as terminal_line counts them).
std::size_t terminal_columns(std::string_view s);

// terminal_line(s, width) padded with spaces to exactly `width` terminal
// columns: one column of a text table, aligned also under CJK text.
std::string column(std::string_view s, std::size_t width);

// Seconds formatted for people: "0.35", "12.3", "1234".
std::string format_seconds(double s);

// JSON writing without building a document (report_json_write.cc). Output is
// compact and byte-for-byte what nlohmann::json::dump() writes for valid UTF-8
// ('"', '\\' and C0 escaped, \b \t \n \f \r short, others \u00XX); invalid
// UTF-8 becomes U+FFFD as in utf8_clean. `html_safe` also writes '<', '>', '&'
// as \u003c, \u003e, \u0026, so the JSON can sit inside a <script> element.
void append_json_string(std::string& out, std::string_view s, bool html_safe);
// One entry as the compact "messages" element (key order in report_json.cc).
void append_entry_json(std::string& out, const ReportEntry& e, bool html_safe);

// The part of a streaming report that knows one format; the file handling
// (temporary file, rename, errors) is open_report_writer's. Writes to the
// stream it was made with; failures show as that stream's state.
class FormatStream {
 public:
  virtual ~FormatStream() = default;
  virtual void add(const ReportEntry& e) = 0;
  // `run` has messages and all six totals filled in by the caller.
  virtual void finish(const RunHeader& run) = 0;
};

// Each writes its opening part (if any) to `out` when made.
std::unique_ptr<FormatStream> make_json_stream(std::ostream& out);
std::unique_ptr<FormatStream> make_csv_stream(std::ostream& out);
std::unique_ptr<FormatStream> make_text_stream(std::ostream& out);
std::unique_ptr<FormatStream> make_html_stream(std::ostream& out, const ReportWriterOptions& opt);

}  // namespace crmr::report_detail
