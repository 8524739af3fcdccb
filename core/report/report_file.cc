// Report files: open_report_writer picks the format by the file's extension
// and writes atomically — into a temporary file in the target's directory,
// renamed over the target by finish() — so a crash or a full disk never
// leaves half a report. On failure, or when the writer is destroyed without
// finishing, the temporary file is removed and the target is left as it was.
// write_report_file is a RunReport streamed through such a writer.
#include <algorithm>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <vector>

#include "core/report/report.h"
#include "core/base/utf8_path.h"
#include "core/report/report_internal.h"
#include "core/base/ascii.h"

namespace crmr {
namespace {

namespace fs = std::filesystem;

enum class Format { Json, Csv, Html, Text };

constexpr const char* kFormatsHint =
    "use one of .json, .csv, .html (or .htm), .txt as the report file's extension";

std::optional<Format> format_for(const fs::path& path) {
  std::string ext = ascii_lower(utf8_string(path.extension()));
  if (ext == ".json") return Format::Json;
  if (ext == ".csv") return Format::Csv;
  if (ext == ".html" || ext == ".htm") return Format::Html;
  if (ext == ".txt") return Format::Text;
  return std::nullopt;
}

// A name in the target's directory that no other writer picks: ".<name>.<random>.tmp".
fs::path temp_path_for(const fs::path& target) {
  std::random_device rd;
  std::mt19937_64 rng(rd() ^ static_cast<std::uint64_t>(
                                  std::chrono::steady_clock::now().time_since_epoch().count()));
  char suffix[24];
  std::snprintf(suffix, sizeof suffix, "%016llx", static_cast<unsigned long long>(rng()));
  fs::path tmp = target;
  tmp.replace_filename("." + utf8_string(target.filename()) + "." + suffix + ".tmp");
  return tmp;
}

std::unexpected<Error> write_error(const fs::path& path, const std::string& what) {
  return fail(Code::ReportWrite, "cannot write report " + utf8_string(path) + ": " + what, Scope::Run,
              Retry::Later, "check that the directory exists, is writable and has free space");
}

// The ReportWriter for files: owns the temporary file and the format stream
// writing into it, and counts the entries for the run header.
class FileReportWriter final : public ReportWriter {
 public:
  FileReportWriter(fs::path target, fs::path tmp) : target_(std::move(target)), tmp_(std::move(tmp)) {
    buffer_.resize(std::size_t{1} << 20);  // fewer, larger writes; before open, as libstdc++ needs
    out_.rdbuf()->pubsetbuf(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
    out_.open(tmp_, std::ios::binary | std::ios::trunc);
  }
  ~FileReportWriter() override {
    if (done_) return;
    out_.close();
    std::error_code ignored;
    fs::remove(tmp_, ignored);
  }
  FileReportWriter(const FileReportWriter&) = delete;
  FileReportWriter& operator=(const FileReportWriter&) = delete;

  bool opened() const { return out_.is_open(); }
  std::ostream& stream() { return out_; }
  void start(std::unique_ptr<report_detail::FormatStream> stream) { stream_ = std::move(stream); }

  Status add(const ReportEntry& e) override {
    if (auto s = usable(); !s) return s;
    stream_->add(e);
    counts_.tally(e);
    if (out_.fail()) return broken("writing " + utf8_string(tmp_) + " failed");
    return {};
  }

  Status finish(const RunHeader& run) override {
    if (auto s = usable(); !s) return s;
    RunHeader header = run;
    header.messages = counts_.messages;
    header.totals = report_detail::with_all_outcomes(counts_.totals);
    stream_->finish(header);
    out_.flush();
    out_.close();
    if (out_.fail()) return broken("writing " + utf8_string(tmp_) + " failed");
    std::error_code ec;
    fs::rename(tmp_, target_, ec);
    if (ec) return broken(ec.message());
    done_ = true;
    return {};
  }

 private:
  Status usable() {
    if (done_) return write_error(target_, "the report is already finished");
    if (failure_) return std::unexpected(*failure_);
    return {};
  }
  // Records the failure (every later call returns it) and removes the temporary file.
  std::unexpected<Error> broken(const std::string& what) {
    auto err = write_error(target_, what);
    failure_ = err.error();
    out_.close();
    std::error_code ignored;
    fs::remove(tmp_, ignored);
    return err;
  }

  fs::path target_;
  fs::path tmp_;
  std::vector<char> buffer_;
  std::ofstream out_;
  std::unique_ptr<report_detail::FormatStream> stream_;
  RunHeader counts_;
  std::optional<Error> failure_;
  bool done_ = false;
};

// The ReportWriter for a stream the caller owns (standard output).
class StreamReportWriter final : public ReportWriter {
 public:
  explicit StreamReportWriter(std::ostream& out) : out_(out) {}
  void start(std::unique_ptr<report_detail::FormatStream> stream) { stream_ = std::move(stream); }

  Status add(const ReportEntry& e) override {
    stream_->add(e);
    counts_.tally(e);
    return out_.fail() ? fail(Code::ReportWrite, "writing the report failed") : Status{};
  }
  Status finish(const RunHeader& run) override {
    RunHeader header = run;
    header.messages = counts_.messages;
    header.totals = report_detail::with_all_outcomes(counts_.totals);
    stream_->finish(header);
    out_.flush();
    return out_.fail() ? fail(Code::ReportWrite, "writing the report failed") : Status{};
  }

 private:
  std::ostream& out_;
  std::unique_ptr<report_detail::FormatStream> stream_;
  RunHeader counts_;
};

}  // namespace

Result<std::unique_ptr<ReportWriter>> open_report_stream(std::ostream& out,
                                                         const std::string& format) {
  auto writer = std::make_unique<StreamReportWriter>(out);
  if (format == "json") writer->start(report_detail::make_json_stream(out));
  else if (format == "csv") writer->start(report_detail::make_csv_stream(out));
  else if (format == "html") writer->start(report_detail::make_html_stream(out, {}));
  else if (format == "text" || format == "txt") writer->start(report_detail::make_text_stream(out));
  else return fail(Code::ReportFormat, "unknown report format '" + format + "'", "use json, csv, html or text");
  return std::unique_ptr<ReportWriter>(std::move(writer));
}

Result<std::unique_ptr<ReportWriter>> open_report_writer(const std::string& path_text,
                                                         const ReportWriterOptions& options) {
  const fs::path path = utf8_path(path_text);
  const auto format = format_for(path);
  if (!format)
    return fail(Code::ReportFormat,
                "cannot tell the report format of " + path_text + " from its extension",
                kFormatsHint);
  fs::path tmp = temp_path_for(path);
  auto writer = std::make_unique<FileReportWriter>(path, tmp);
  if (!writer->opened()) return write_error(path, "cannot create " + utf8_string(tmp));
  std::ostream& out = writer->stream();
  switch (*format) {
    case Format::Json: writer->start(report_detail::make_json_stream(out)); break;
    case Format::Csv: writer->start(report_detail::make_csv_stream(out)); break;
    case Format::Html: writer->start(report_detail::make_html_stream(out, options)); break;
    case Format::Text: writer->start(report_detail::make_text_stream(out)); break;
  }
  return std::unique_ptr<ReportWriter>(std::move(writer));
}

Status write_report_file(const RunReport& r, const std::string& path) {
  auto writer = open_report_writer(path);
  if (!writer) return std::unexpected(writer.error());
  for (const auto& e : r.messages)
    if (auto s = (*writer)->add(e); !s) return s;
  return (*writer)->finish(r.header());
}

}  // namespace crmr
