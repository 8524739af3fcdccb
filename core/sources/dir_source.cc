#include "core/sources/dir_source.h"
#include "core/base/utf8_path.h"

#include <algorithm>
#include <system_error>
#include <utility>

#include "core/sources/stream_source.h"

namespace crmr {
namespace fs = std::filesystem;
namespace {

bool hidden(const fs::path& p) {
  auto name = p.filename().native();
  return !name.empty() && name[0] == '.';
}

Error as_message_error(Error e) {
  e.scope = Scope::Message;
  return e;
}

}  // namespace

DirSource::DirSource(fs::path root, std::string source, DirLayout layout, SourceOptions opts)
    : root_(std::move(root)), source_(std::move(source)), layout_(layout), opts_(std::move(opts)) {}

std::string DirSource::describe() const {
  return (layout_ == DirLayout::Maildir ? "Maildir " : "folder ") + source_;
}

// Lists `dir` (sorted by file name, hidden entries left out) onto the stack.
Status DirSource::push_dir(const fs::path& dir) {
  Frame f;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (!hidden(it->path())) f.entries.push_back(*it);
  }
  if (ec) {
    return fail(Code::SourceUnreadable, "cannot list " + utf8_string(dir) + ": " + ec.message(),
                Scope::Message, Retry::Later, "check the folder's permissions");
  }
  std::sort(f.entries.begin(), f.entries.end(), [](const auto& a, const auto& b) {
    return a.path().filename() < b.path().filename();
  });
  stack_.push_back(std::move(f));
  return {};
}

Result<std::optional<fs::path>> DirSource::next_file() {
  if (!listed_) {
    listed_ = true;
    if (layout_ == DirLayout::Maildir) {
      // cur/ and new/ merged into one frame, sorted by file name.
      Frame all;
      for (const char* sub : {"cur", "new"}) {
        std::error_code ec;
        if (!fs::is_directory(root_ / sub, ec)) continue;
        if (auto st = push_dir(root_ / sub); !st) return fail(st.error());
        for (auto& e : stack_.back().entries) all.entries.push_back(std::move(e));
        stack_.pop_back();
      }
      std::stable_sort(all.entries.begin(), all.entries.end(), [](const auto& a, const auto& b) {
        return a.path().filename() < b.path().filename();
      });
      stack_.push_back(std::move(all));
    } else if (auto st = push_dir(root_); !st) {
      return fail(st.error());
    }
  }
  while (!stack_.empty()) {
    Frame& top = stack_.back();
    if (top.at == top.entries.size()) {
      stack_.pop_back();
      continue;
    }
    const fs::directory_entry& e = top.entries[top.at++];
    std::error_code ec;
    if (e.is_directory(ec)) {
      if (layout_ == DirLayout::Tree && !e.is_symlink(ec)) {
        fs::path dir = e.path();
        if (auto st = push_dir(dir); !st) return fail(st.error());
      }
      continue;
    }
    // Only regular files (or links to them): a FIFO or device would block or
    // never end.
    if (!e.is_regular_file(ec)) continue;
    return std::optional<fs::path>(e.path());
  }
  return std::optional<fs::path>();
}

Result<std::unique_ptr<MailSource>> DirSource::open_file(const fs::path& file) {
  auto raw = open_file_stream(file);
  if (!raw) return fail(raw.error());
  StreamOrigin origin{source_, utf8_generic_string(file.lexically_relative(root_)), utf8_string(file),
                      file_mtime(file)};
  return open_stream(std::move(*raw), origin, opts_);
}

Result<std::optional<RawMessage>> DirSource::next() {
  for (;;) {
    if (inner_) {
      auto r = inner_->next();
      if (!r) {
        if (r.error().scope != Scope::Message) inner_.reset();
        return fail(as_message_error(r.error()));
      }
      if (*r) return r;
      inner_.reset();
    }
    auto file = next_file();
    if (!file) return fail(as_message_error(file.error()));
    if (!*file) return std::nullopt;
    auto src = open_file(**file);
    if (!src) return fail(as_message_error(src.error()));
    inner_ = std::move(*src);
  }
}

}  // namespace crmr
