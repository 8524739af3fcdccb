#include "storage/csv.h"

namespace crmr {

bool CsvReader::at_line_end() const {
  return pos_ >= text_.size() || text_[pos_] == '\n' || text_[pos_] == '\r';
}

void CsvReader::skip_line_end() {
  if (pos_ >= text_.size()) return;
  if (text_[pos_] == '\r') ++pos_;
  if (pos_ < text_.size() && text_[pos_] == '\n') ++pos_;
  ++line_;
}

void CsvReader::skip_rest_of_line() {
  while (!at_line_end()) ++pos_;
  skip_line_end();
}

bool CsvReader::next(CsvRecord& out) {
  // Blank lines between records are not records.
  while (pos_ < text_.size() && (text_[pos_] == '\n' || text_[pos_] == '\r')) skip_line_end();
  if (pos_ >= text_.size()) return false;

  out.line = line_;
  out.error.clear();
  // The field strings of the last record are reused: no allocation per field
  // once they have grown to size.
  std::size_t count = 0;
  for (;;) {
    if (count == out.fields.size()) out.fields.emplace_back();
    std::string& field = out.fields[count++];
    field.clear();
    if (pos_ < text_.size() && text_[pos_] == '"') {
      const std::size_t opened = line_;
      ++pos_;
      bool closed = false;
      while (pos_ < text_.size()) {
        char c = text_[pos_++];
        if (c == '"') {
          if (pos_ < text_.size() && text_[pos_] == '"') {
            field += '"';
            ++pos_;
          } else {
            closed = true;
            break;
          }
        } else {
          if (c == '\n') ++line_;
          if (c == '\r' && (pos_ >= text_.size() || text_[pos_] != '\n')) ++line_;
          field += c;
        }
      }
      if (!closed) {
        out.fields.resize(count);
        out.error = "unterminated quoted field (opened on line " + std::to_string(opened) + ")";
        return true;
      }
      if (!at_line_end() && text_[pos_] != ',') {
        out.fields.resize(count);
        out.error = "unexpected text after a closing quote";
        skip_rest_of_line();
        return true;
      }
    } else {
      std::size_t stop = pos_;
      while (stop < text_.size() && text_[stop] != ',' && text_[stop] != '\n' && text_[stop] != '\r')
        ++stop;
      field.assign(text_.data() + pos_, stop - pos_);
      pos_ = stop;
    }
    if (pos_ < text_.size() && text_[pos_] == ',') {
      ++pos_;
      continue;
    }
    out.fields.resize(count);
    skip_line_end();
    return true;
  }
}

std::size_t csv_complete_prefix(std::string_view text) {
  // Without quotes, every line feed ends a record.
  if (text.find('"') == std::string_view::npos) {
    const std::size_t last = text.rfind('\n');
    return last == std::string_view::npos ? 0 : last + 1;
  }
  // The reader's own states: a quote opens a quoted field only at a field's
  // start; inside, a doubled quote is a quote and a single one closes it.
  std::size_t complete = 0;
  bool field_start = true;
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          ++i;
        } else if (i + 1 == text.size()) {
          break;  // a closing quote, or the first of a doubled one: not known yet
        } else {
          quoted = false;
        }
      }
      continue;
    }
    if (c == '"' && field_start) {
      quoted = true;
      field_start = false;
      continue;
    }
    field_start = c == ',' || c == '\n' || c == '\r';
    if (c == '\n') complete = i + 1;
  }
  return complete;
}

}  // namespace crmr
