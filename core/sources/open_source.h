// Opening archived mail on disk (or stdin) as a MailSource, with the kind
// detected from content, not from the file name.
#pragma once

#include <memory>
#include <string>

#include "core/mail_source.h"
#include "core/result.h"

namespace crmr {

enum class SourceKind { Eml, EmlTree, Maildir, Mbox, GzipMbox };
const char* to_string(SourceKind k);

struct SourceOptions {
  std::size_t max_message_bytes = 100u * 1024 * 1024;  // larger: a Scope::Message error
  // How mbox files are split and unquoted: "auto" (Content-Length when it
  // checks out, else From_ lines with mboxrd unquoting), "mboxo", "mboxrd" or
  // "mboxcl2". See mbox_source.h. Another value: a Scope::Run error.
  std::string mbox_format = "auto";
};

// Open `path` ("-" = standard input). The kind comes from the content: a
// directory with cur/ or new/ is a Maildir, another directory a tree of files
// (each opened by content), a file starting 1f 8b is gzip (an mbox or one
// message inside), a first non-blank line starting "From " an mbox, a header
// line one message; a blank file has no messages. See dir_source.h and
// mbox_source.h. Errors: not found, unreadable, unknown content:
// Scope::Mailbox, so the other paths still run.
Result<std::unique_ptr<MailSource>> open_source(const std::string& path,
                                                const SourceOptions& opts = {});

}  // namespace crmr
