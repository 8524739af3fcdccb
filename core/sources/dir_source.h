// DirSource: the messages of a directory, file by file, each file opened by
// content (open_stream): an mbox file gives all its messages, a message file
// one, gzip either way, a blank file none.
//
// Maildir layout: the files of cur/ and new/ (tmp/ is being written by a
// delivery agent and is ignored), merged and sorted by file name, which in
// Maildir starts with the delivery time. Folders beside cur/ and new/ are not
// read. Tree layout: every file below the root, walked depth first with each
// directory's entries sorted by name; hidden entries (".name") and entries
// that are not regular files are skipped, and symbolic links to directories
// are not followed (no loops).
//
// RawMessage::source is the root as given; position is the file relative to
// the root with '/' separators ("cur/1234.M1:2,S"), plus "#N" for the
// messages of an mbox file. A file that cannot be opened, is not mail or
// fails to read, and a subdirectory that cannot be listed, yield a
// Scope::Message error naming it; next() then goes on with the next file.
#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/mail_source.h"
#include "core/sources/open_source.h"

namespace crmr {

enum class DirLayout { Maildir, Tree };

class DirSource final : public MailSource {
 public:
  // The root must be a readable directory (open_source checks it).
  DirSource(std::filesystem::path root, std::string source, DirLayout layout,
            SourceOptions opts);
  std::string describe() const override;
  Result<std::optional<RawMessage>> next() override;

 private:
  struct Frame {  // one directory being walked
    std::vector<std::filesystem::directory_entry> entries;
    std::size_t at = 0;
  };
  Result<std::optional<std::filesystem::path>> next_file();
  Status push_dir(const std::filesystem::path& dir);
  Result<std::unique_ptr<MailSource>> open_file(const std::filesystem::path& file);

  std::filesystem::path root_;
  std::string source_;
  DirLayout layout_;
  SourceOptions opts_;
  bool listed_ = false;
  std::vector<Frame> stack_;
  std::unique_ptr<MailSource> inner_;  // the file being read
};

}  // namespace crmr
