// POP3 reply framing; see pop3_reader.h.
#include "core/mailbox/pop3_reader.h"

namespace crmr {

void Pop3Reader::compact() {
  if (start_ > 0 && start_ >= buf_.size() / 2) {
    buf_.erase(0, start_);
    start_ = 0;
  }
}

void Pop3Reader::append(std::string_view bytes) {
  compact();
  buf_.append(bytes);
}

Result<std::optional<std::string>> Pop3Reader::next_line() {
  std::size_t nl = buf_.find('\n', start_);
  if (nl == std::string::npos) {
    if (buf_.size() - start_ > kMaxLine)
      return fail(Code::MailboxProtocol, "malformed POP3 reply: line longer than 1 MiB");
    return std::nullopt;
  }
  std::size_t end = nl;
  if (end > start_ && buf_[end - 1] == '\r') --end;
  std::string line = buf_.substr(start_, end - start_);
  start_ = nl + 1;
  return line;
}

std::optional<std::string> Pop3Reader::next_body() {
  // The body ends at a line ".\r\n" (or ".\n"). `line_` is the start of the
  // first line not yet known to be body, `search_` how far LFs were searched.
  std::string_view data(buf_.data() + start_, buf_.size() - start_);
  std::size_t p = line_;
  std::size_t end = 0, after = 0;
  for (;;) {
    if (p >= data.size()) break;
    if (data[p] == '.') {
      if (p + 1 >= data.size()) break;
      if (data[p + 1] == '\n') {
        end = p, after = p + 2;
        break;
      }
      if (data[p + 1] == '\r') {
        if (p + 2 >= data.size()) break;
        if (data[p + 2] == '\n') {
          end = p, after = p + 3;
          break;
        }
      }
    }
    std::size_t nl = data.find('\n', std::max(p, search_));
    if (nl == std::string_view::npos) {
      search_ = data.size();
      break;
    }
    p = search_ = nl + 1;
  }
  if (after == 0) {
    line_ = p;
    return std::nullopt;
  }
  std::string body;
  body.reserve(end);
  for (std::size_t line = 0; line < end;) {
    // Dot-stuffed: drop the first of two dots. A single dot before other text
    // is kept: a correct server never sends one, but Dovecot 2.3 does not
    // stuff the first line of a message.
    if (data[line] == '.' && line + 1 < end && data[line + 1] == '.') ++line;
    std::size_t nl = data.find('\n', line);
    std::size_t stop = nl == std::string_view::npos || nl >= end ? end : nl + 1;
    body.append(data.substr(line, stop - line));
    line = stop;
  }
  start_ += after;
  line_ = search_ = 0;
  return body;
}

}  // namespace crmr
