#include "storage/cache_import.h"

#include <cerrno>
#include <cstring>
#include <fstream>

#include <nlohmann/json.hpp>

#include "core/base/crash_point.h"
#include "storage/cache_rows.h"
#include "storage/csv.h"

namespace crmr {
namespace {

using nlohmann::json;

// Input is read this many bytes at a time and parsed a chunk of whole lines
// (whole CSV records) at a time, so memory does not grow with the file.
constexpr std::size_t kBlockBytes = 1 << 20;

// Most "FILE:LINE: problem" lines a result lists (the rest are only counted).
constexpr std::size_t kMaxListedErrors = 1000;

// A file read in chunks of whole lines, or of whole CSV records (a quoted
// field may hold line breaks). A UTF-8 byte order mark at the start is dropped.
class ChunkedFile {
 public:
  ChunkedFile(const std::string& path) : path_(path), in_(path, std::ios::binary) {}

  Status opened() const {
    if (in_) return {};
    return fail(Code::ImportCannotRead, path_ + ": cannot read: " + std::strerror(errno),
                "check the file name and its permissions");
  }

  // The start of the file (a block), for telling its format.
  Result<std::string_view> peek() {
    if (auto st = fill(); !st) return fail(st.error());
    return std::string_view(buffer_);
  }

  // The next chunk into `out`; false at the end of the file.
  Result<bool> next(std::string& out, bool csv) {
    for (;;) {
      if (auto st = fill(); !st) return fail(st.error());
      std::size_t cut = csv ? csv_complete_prefix(buffer_) : buffer_.rfind('\n');
      if (!csv) cut = cut == std::string::npos ? 0 : cut + 1;
      if (cut == 0 && eof_) cut = buffer_.size();  // the last line, without its line feed
      if (cut > 0) {
        out.assign(buffer_, 0, cut);
        buffer_.erase(0, cut);
        return true;
      }
      if (eof_) return false;
      min_ += kBlockBytes;  // a record longer than the buffer: read on
    }
  }

 private:
  // Reads until the buffer holds `min_` bytes or the file has ended.
  Status fill() {
    while (buffer_.size() < min_ && !eof_) {
      const std::size_t had = buffer_.size();
      buffer_.resize(had + kBlockBytes);
      in_.read(buffer_.data() + had, static_cast<std::streamsize>(kBlockBytes));
      buffer_.resize(had + static_cast<std::size_t>(in_.gcount()));
      if (in_.bad()) return fail(Code::ImportCannotRead, path_ + ": read error");
      if (!in_) eof_ = true;
      if (first_ && (buffer_.size() >= 3 || eof_)) {
        first_ = false;
        if (buffer_.starts_with("\xEF\xBB\xBF")) buffer_.erase(0, 3);
      }
    }
    if (buffer_.size() >= min_) min_ = kBlockBytes;
    return {};
  }

  const std::string& path_;
  std::ifstream in_;
  std::string buffer_;
  std::size_t min_ = kBlockBytes;
  bool eof_ = false;
  bool first_ = true;
};

CacheFileFormat detect(std::string_view text) {
  for (char c : text) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') continue;
    return c == '{' ? CacheFileFormat::JsonLines : CacheFileFormat::Csv;
  }
  return CacheFileFormat::JsonLines;  // empty: nothing to read either way
}

// nlohmann's "[json.exception.parse_error.101] parse error at ..." without the tag.
std::string json_problem(const json::exception& e) {
  std::string what = e.what();
  if (what.starts_with("[json.exception.")) {
    auto end = what.find("] ");
    if (end != std::string::npos) what.erase(0, end + 2);
  }
  return what;
}

// The one place nlohmann::json exceptions of an import are caught: runs `f`
// (returning Status) and turns a json exception into a row problem.
template <class F>
Status json_firewall(F&& f) {
  try {
    return f();
  } catch (const json::exception& e) {
    return fail(Code::ImportBadRow, json_problem(e));
  }
}

// Collects the rows of one import: counts, "FILE:LINE: problem" lines, and the
// first failure of the store itself (which ends the import). Rows are written
// in transactions of `batch` rows: each commit is a checkpoint a crash goes
// back to.
class Importer {
 public:
  Importer(Store& store, const std::string& path, std::int64_t batch)
      : store_(store), path_(path), batch_(batch) {}

  ~Importer() {
    if (open_) store_.rollback();
  }

  void row(std::size_t line, const std::string& entity, const CacheRow& fields) {
    if (!open_) {
      if (auto st = store_.begin(); !st) {
        fatal_ = st.error();
        return;
      }
      open_ = true;
    }
    crash_point("cache_import.row");
    Status st = json_firewall([&] { return apply_cache_row(store_, entity, fields); });
    if (st) {
      ++result_.imported[entity];
      if (++in_batch_ >= batch_) checkpoint();
    } else if (st.error().scope == Scope::Message) {
      problem(line, st.error().message);
    } else if (!fatal_) {
      fatal_ = st.error();
    }
  }

  void problem(std::size_t line, const std::string& text) {
    if (result_.errors.size() < kMaxListedErrors)
      result_.errors.push_back(path_ + ":" + std::to_string(line) + ": " + text);
    ++result_.bad_lines;
  }

  // Commits the open batch, if any.
  void checkpoint() {
    if (!open_ || fatal_) return;
    open_ = false;
    in_batch_ = 0;
    if (auto st = store_.commit(); !st) {
      store_.rollback();
      fatal_ = st.error();
      return;
    }
    crash_point("cache_import.commit");
    if (auto st = store_.bulk_load_checkpoint(); !st) fatal_ = st.error();
  }

  bool stopped() const { return fatal_.has_value(); }
  const std::optional<Error>& fatal() const { return fatal_; }
  CacheImportResult take() { return std::move(result_); }

 private:
  Store& store_;
  const std::string& path_;
  const std::int64_t batch_;
  std::int64_t in_batch_ = 0;
  bool open_ = false;
  CacheImportResult result_;
  std::optional<Error> fatal_;
};

// The JSON Lines of one chunk; `line` is the number of the line before it.
void import_json_lines(Importer& importer, std::string_view text, std::size_t& line) {
  while (!text.empty() && !importer.stopped()) {
    ++line;
    auto end = text.find('\n');
    std::string_view content = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    if (content.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    json row;
    if (auto parsed = json_firewall([&]() -> Status {
          row = json::parse(content);
          return {};
        });
        !parsed) {
      importer.problem(line, "invalid JSON: " + parsed.error().message);
      continue;
    }
    if (!row.is_object()) {
      importer.problem(line, "expected a JSON object");
      continue;
    }
    auto entity = row.find("entity");
    if (entity == row.end() || !entity->is_string()) {
      importer.problem(line, "missing \"entity\" (one of " + std::string(cache_entity_list()) +
                                 ")");
      continue;
    }
    const std::string name = entity->get<std::string>();
    if (!is_cache_entity(name)) {
      importer.problem(line, "unknown entity \"" + name + "\" (expected " +
                                 cache_entity_list() + ")");
      continue;
    }
    importer.row(line, name, CacheRow{&row, nullptr, nullptr});
  }
}

// The CSV records of one chunk; `line` is the line it starts on, then the
// line after it. The first record of the file is the header.
void import_csv(Importer& importer, std::string_view text, const std::string& entity,
                std::vector<std::string>& header, std::size_t& line) {
  CsvReader reader(text, line);
  CsvRecord record;
  while (!importer.stopped() && reader.next(record)) {
    if (!record.error.empty()) {
      importer.problem(record.line, record.error);
      continue;
    }
    if (header.empty()) {
      for (auto& name : record.fields) {
        std::string h;
        for (char c : name)
          if (c != ' ' && c != '\t') h += (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c;
        header.push_back(std::move(h));
      }
      continue;
    }
    if (record.fields.size() != header.size()) {
      importer.problem(record.line, std::to_string(record.fields.size()) +
                                        " fields, the header has " +
                                        std::to_string(header.size()));
      continue;
    }
    importer.row(record.line, entity, CacheRow{nullptr, &header, &record.fields});
  }
  line = reader.line();
}

}  // namespace

Result<CacheImportResult> import_cache_file(Store& store, const std::string& path,
                                            CacheFileFormat format,
                                            const std::string& csv_entity,
                                            std::int64_t batch_rows) {
  ChunkedFile file(path);
  if (auto st = file.opened(); !st) return fail(st.error());
  if (format == CacheFileFormat::Auto) {
    auto start = file.peek();
    if (!start) return fail(start.error());
    format = detect(*start);
  }
  if (format == CacheFileFormat::Csv) {
    if (csv_entity.empty()) {
      return fail(Code::ImportCsvEntity, path + ": a CSV file needs the entity its rows are",
                  std::string("name it with --entity (") + cache_entity_list() + ")");
    }
    if (!is_cache_entity(csv_entity)) {
      return fail(Code::ImportUnknownEntity, path + ": unknown entity \"" + csv_entity + "\"",
                  std::string("use one of ") + cache_entity_list());
    }
  }

  // Transactions of `batch_rows` rows. A bad row is found before anything of
  // it is written, so it leaves nothing behind and the others are kept; a
  // store failure ends the import and rolls the open batch back (before the
  // bulk load ends: the guard outlives the importer).
  if (auto st = store.set_bulk_load(true); !st) return fail(st.error());
  struct BulkLoadEnd {
    Store& store;
    ~BulkLoadEnd() { (void)store.set_bulk_load(false); }
  } bulk_load_end{store};
  Importer importer(store, path, batch_rows > 0 ? batch_rows : kCacheImportBatch);
  std::string chunk;
  std::vector<std::string> header;
  std::size_t line = format == CacheFileFormat::Csv ? 1 : 0;
  while (!importer.stopped()) {
    auto more = file.next(chunk, format == CacheFileFormat::Csv);
    if (!more) return fail(more.error());
    if (!*more) break;
    if (format == CacheFileFormat::Csv) {
      import_csv(importer, chunk, csv_entity, header, line);
    } else {
      import_json_lines(importer, chunk, line);
    }
  }
  importer.checkpoint();
  if (importer.fatal()) return fail(*importer.fatal());
  return importer.take();
}

}  // namespace crmr
