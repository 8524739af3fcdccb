// RFC 4180 CSV reading: comma-separated fields, double-quoted fields that may
// hold commas, doubled quotes and line breaks, CRLF or LF line ends. Blank
// lines are skipped. A malformed record is returned with `error` set and
// reading goes on with the next line.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace crmr {

struct CsvRecord {
  std::size_t line = 0;             // 1-based line the record starts on
  std::vector<std::string> fields;
  std::string error;                // empty when the record is well-formed
};

// Reads records from `text`, which must outlive the reader.
class CsvReader {
 public:
  // `first_line`: the line number `text` starts on (a chunk of a larger file).
  explicit CsvReader(std::string_view text, std::size_t first_line = 1)
      : text_(text), line_(first_line) {}
  // The next record into `out`; false at the end of the text.
  bool next(CsvRecord& out);
  // The line the reader has reached (after the last record read).
  std::size_t line() const { return line_; }

 private:
  bool at_line_end() const;
  void skip_line_end();
  void skip_rest_of_line();

  std::string_view text_;
  std::size_t pos_ = 0;
  std::size_t line_ = 1;
};

// The length of the longest prefix of `text` that ends with a line feed
// outside a quoted field: whole records only, so a file can be read in chunks
// and each chunk parsed on its own. 0 when no record is complete yet.
std::size_t csv_complete_prefix(std::string_view text);

}  // namespace crmr
