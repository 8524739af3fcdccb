#include "core/sources/open_source.h"
#include "core/base/utf8_path.h"

#include <filesystem>
#include <system_error>
#include <utility>

#include "core/sources/content_probe.h"
#include "core/sources/dir_source.h"
#include "core/sources/eml_source.h"
#include "core/sources/mbox_source.h"
#include "core/sources/stream_source.h"

namespace crmr {
namespace fs = std::filesystem;

const char* to_string(SourceKind k) {
  switch (k) {
    case SourceKind::Eml: return "eml";
    case SourceKind::EmlTree: return "eml-tree";
    case SourceKind::Maildir: return "maildir";
    case SourceKind::Mbox: return "mbox";
    case SourceKind::GzipMbox: return "gzip-mbox";
  }
  return "?";
}

Result<std::unique_ptr<MailSource>> open_stream(std::unique_ptr<ByteStream> raw,
                                                const StreamOrigin& origin,
                                                const SourceOptions& opts) {
  auto format = parse_mbox_format(opts.mbox_format);
  if (!format) return fail(format.error());
  auto probed = probe_content(std::move(raw), origin.display);
  if (!probed) return fail(probed.error());
  switch (probed->kind) {
    case ContentKind::Empty:
      return std::make_unique<EmptySource>(origin.display);
    case ContentKind::Mbox:
      return std::make_unique<MboxSource>(
          std::move(probed->stream),
          MboxParams{origin.source, origin.position_base, origin.display, *format,
                     opts.max_message_bytes, probed->gzip});
    case ContentKind::Eml:
      return std::make_unique<EmlSource>(
          std::move(probed->stream), origin.source,
          origin.position_base.empty() ? "#1" : origin.position_base, origin.display,
          opts.max_message_bytes, origin.mtime, probed->gzip);
    case ContentKind::Unknown:
      break;
  }
  return fail(Code::SourceUnknownContent,
              origin.display + (probed->gzip ? " (gzip)" : "") +
                  " is not mail: neither an mbox nor a message with a header",
              "give .eml files, mbox files (gzip allowed), a Maildir or a folder of them");
}

Result<std::unique_ptr<MailSource>> open_istream(std::istream& in, const std::string& name,
                                                 const SourceOptions& opts) {
  return open_stream(istream_stream(in, name), StreamOrigin{name, "", name, std::nullopt}, opts);
}

Result<std::unique_ptr<MailSource>> open_source(const std::string& path,
                                                const SourceOptions& opts) {
  if (auto format = parse_mbox_format(opts.mbox_format); !format) return fail(format.error());
  if (path == "-") {
    return open_stream(stdin_stream(), StreamOrigin{"-", "", "standard input", std::nullopt},
                       opts);
  }
  const fs::path p = utf8_path(path);
  std::error_code ec;
  auto status = fs::status(p, ec);
  if (status.type() == fs::file_type::not_found) {
    return fail(Code::SourceNotFound, path + ": no such file or folder", "check the path");
  }
  if (ec) {
    return fail(Code::SourceUnreadable, "cannot read " + path + ": " + ec.message(), "check the path and its permissions");
  }
  if (fs::is_directory(status)) {
    fs::directory_iterator probe(p, ec);
    if (ec) {
      return fail(Code::SourceUnreadable, "cannot list " + path + ": " + ec.message(),
                  "check the folder's permissions");
    }
    bool maildir = fs::is_directory(p / "cur", ec) || fs::is_directory(p / "new", ec);
    return std::make_unique<DirSource>(p, path, maildir ? DirLayout::Maildir : DirLayout::Tree,
                                       opts);
  }
  auto raw = open_file_stream(p);
  if (!raw) return fail(raw.error());
  return open_stream(std::move(*raw), StreamOrigin{path, "", path, file_mtime(p)}, opts);
}

}  // namespace crmr
