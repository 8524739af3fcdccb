#include "storage/cache_import.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "storage/cache_rows.h"
#include "storage/csv.h"

namespace crmr {
namespace {

using nlohmann::json;

Result<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return fail("import.cannot_read", path + ": cannot read: " + std::strerror(errno),
                Scope::Run, Retry::Never, "check the file name and its permissions");
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) {
    return fail("import.cannot_read", path + ": read error", Scope::Run, Retry::Never);
  }
  std::string text = std::move(buffer).str();
  if (text.starts_with("\xEF\xBB\xBF")) text.erase(0, 3);  // UTF-8 byte order mark
  return text;
}

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
    return fail("import.bad_row", json_problem(e));
  }
}

// Collects the rows of one import: counts, "FILE:LINE: problem" lines, and the
// first failure of the store itself (which ends the import).
class Importer {
 public:
  Importer(Store& store, const std::string& path) : store_(store), path_(path) {}

  void row(std::size_t line, const std::string& entity, const json& fields) {
    Status st = json_firewall([&] { return apply_cache_row(store_, entity, fields); });
    if (st) {
      ++result_.imported[entity];
    } else if (st.error().scope == Scope::Message) {
      problem(line, st.error().message);
    } else if (!fatal_) {
      fatal_ = st.error();
    }
  }

  void problem(std::size_t line, const std::string& text) {
    result_.errors.push_back(path_ + ":" + std::to_string(line) + ": " + text);
  }

  bool stopped() const { return fatal_.has_value(); }
  const std::optional<Error>& fatal() const { return fatal_; }
  CacheImportResult take() { return std::move(result_); }

 private:
  Store& store_;
  const std::string& path_;
  CacheImportResult result_;
  std::optional<Error> fatal_;
};

void import_json_lines(Importer& importer, std::string_view text) {
  std::size_t line = 0;
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
    importer.row(line, name, row);
  }
}

void import_csv(Importer& importer, std::string_view text, const std::string& entity) {
  CsvReader reader(text);
  CsvRecord record;
  std::vector<std::string> header;
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
    json row = json::object();
    for (std::size_t i = 0; i < header.size(); ++i) {
      if (!record.fields[i].empty() && header[i] != "entity") row[header[i]] = record.fields[i];
    }
    importer.row(record.line, entity, row);
  }
}

}  // namespace

Result<CacheImportResult> import_cache_file(Store& store, const std::string& path,
                                            CacheFileFormat format,
                                            const std::string& csv_entity) {
  auto text = read_file(path);
  if (!text) return fail(text.error());
  if (format == CacheFileFormat::Auto) format = detect(*text);
  if (format == CacheFileFormat::Csv) {
    if (csv_entity.empty()) {
      return fail("import.csv_entity", path + ": a CSV file needs the entity its rows are",
                  Scope::Run, Retry::Never,
                  std::string("name it with --entity (") + cache_entity_list() + ")");
    }
    if (!is_cache_entity(csv_entity)) {
      return fail("import.unknown_entity", path + ": unknown entity \"" + csv_entity + "\"",
                  Scope::Run, Retry::Never,
                  std::string("use one of ") + cache_entity_list());
    }
  }

  // One transaction for the whole file; each row is a nested savepoint, so a
  // bad row leaves nothing behind and the others are kept.
  if (auto st = store.begin(); !st) return fail(st.error());
  Importer importer(store, path);
  if (format == CacheFileFormat::Csv) {
    import_csv(importer, *text, csv_entity);
  } else {
    import_json_lines(importer, *text);
  }
  if (importer.fatal()) {
    store.rollback();
    return fail(*importer.fatal());
  }
  if (auto st = store.commit(); !st) {
    store.rollback();
    return fail(st.error());
  }
  return importer.take();
}

}  // namespace crmr
