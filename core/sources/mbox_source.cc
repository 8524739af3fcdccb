#include "core/sources/mbox_source.h"

#include <algorithm>
#include <charconv>
#include <utility>

namespace crmr {
namespace {

// Enough look-ahead after a Content-Length body to see the next From_ line.
constexpr std::size_t kFromPeek = 1024;
// How far ahead a From_ line inside an open multipart looks for the closing
// delimiter that proves it is body text.
constexpr std::size_t kMultipartLookahead = 1u << 20;
constexpr std::size_t kMaxContentType = 8 * 1024;

bool starts_with_ci(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if ((s[i] | 0x20) != (prefix[i] | 0x20)) return false;
  }
  return true;
}

std::optional<std::size_t> content_length_of(std::string_view line) {
  static constexpr std::string_view kName = "content-length:";
  if (!starts_with_ci(line, kName)) return std::nullopt;
  line.remove_prefix(kName.size());
  while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
  std::size_t v = 0;
  auto [end, ec] = std::from_chars(line.data(), line.data() + line.size(), v);
  if (ec != std::errc() || end == line.data()) return std::nullopt;
  return v;
}

bool has_unquoted_from(std::string_view body) {
  return body.starts_with("From ") || body.find("\nFrom ") != std::string_view::npos;
}

}  // namespace

void MboxSource::Building::append(std::string_view s) {
  size += s.size();
  if (over) return;
  if (size > max) {
    over = true;
    std::string().swap(bytes);
    return;
  }
  bytes.append(s);
}

void MboxSource::Building::append_unquoted(std::string_view line, Unquote mode) {
  if (over || size + line.size() > max) return append(line);
  crmr::append_unquoted(bytes, line, mode);
  size = bytes.size();
}

void MboxSource::Building::append_block(std::string_view block, Unquote mode) {
  if (over || size + block.size() > max) return append(block);
  append_unquoted_block(bytes, block, mode);
  size = bytes.size();
}

MboxSource::MboxSource(std::unique_ptr<ByteStream> in, MboxParams params)
    : in_(std::move(in)),
      p_(std::move(params)),
      unquote_(p_.format == MboxFormat::Mboxo     ? Unquote::MboxoOne
               : p_.format == MboxFormat::Mboxcl2 ? Unquote::None
                                                  : Unquote::MboxrdAll) {}

std::string MboxSource::describe() const {
  return std::string(p_.gzip ? "gzip mbox " : "mbox ") + p_.display + " (" +
         to_string(p_.format) + ")";
}

std::string MboxSource::position() const { return p_.position_base + "#" + std::to_string(index_); }

std::unexpected<Error> MboxSource::stop(Error e) {
  done_ = true;
  if (e.scope == Scope::Message) e.scope = Scope::Mailbox;
  return std::unexpected<Error>(std::move(e));
}

void MboxSource::set_next_from(std::string_view line) {
  from_offset_ = in_.offset() - line.size();
  from_line_.assign(line);
  have_from_ = true;
}

Result<bool> MboxSource::skip_to_first_from() {
  LineReader::Line line;
  bool first = true;
  for (;;) {
    auto got = in_.next(line);
    if (!got) return fail(got.error());
    if (!*got) return false;
    std::string_view text = line.text;
    if (first && text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
    first = false;
    if (text.starts_with("From ")) {
      set_next_from(text);
      return true;
    }
    if (chomp(text).find_first_not_of(" \t") != std::string_view::npos || !line.complete) {
      return fail(Code::SourceNoFromLine,
                  p_.display + ": an mbox must start with a \"From \" line (byte " +
                      std::to_string(in_.offset() - line.text.size()) + ")");
    }
  }
}

Result<std::optional<RawMessage>> MboxSource::next() {
  if (done_) return std::nullopt;
  if (!started_) {
    started_ = true;
    auto found = skip_to_first_from();
    if (!found) return stop(found.error());
  }
  if (!have_from_) {
    done_ = true;
    return std::nullopt;
  }
  ++index_;
  std::string from = std::move(from_line_);
  std::uint64_t at = from_offset_;
  have_from_ = false;
  Building b;
  b.max = p_.max_message_bytes;
  if (auto st = read_message(b); !st) return stop(st.error());
  if (b.over) {
    return fail(Code::SourceMessageTooLarge,
                "message " + position() + " of " + p_.display + " (at byte " + std::to_string(at) +
                    ") has " + std::to_string(b.size) + " bytes, over the limit of " +
                    std::to_string(p_.max_message_bytes),
                "raise the message size limit to read it");
  }
  return RawMessage{p_.source, position(), std::move(b.bytes), from_line_date(from)};
}

Status MboxSource::read_message(Building& b) {
  LineReader::Line line;
  bool line_start = true;
  std::optional<std::size_t> length;
  std::string content_type;  // unfolded value, to find a multipart boundary
  bool in_content_type = false;
  for (;;) {  // the header block, up to and with its blank line
    auto got = in_.next(line);
    if (!got) return fail(got.error());
    if (!*got) return {};
    if (line_start) {
      if (is_dated_from_line(line.text)) {
        set_next_from(line.text);
        return {};
      }
      if (is_blank_line(line.text)) {
        b.append(line.text);
        break;
      }
      if (auto n = content_length_of(line.text)) length = n;
      if (line.text[0] == ' ' || line.text[0] == '\t') {
        if (in_content_type && content_type.size() < kMaxContentType) {
          content_type.append(chomp(line.text));
        }
      } else {
        in_content_type = starts_with_ci(line.text, "content-type:");
        if (in_content_type) content_type.assign(chomp(line.text).substr(13));
      }
      b.append_unquoted(line.text, unquote_);
    } else {
      b.append(line.text);
    }
    line_start = line.complete;
  }
  bool by_length = p_.format == MboxFormat::Auto || p_.format == MboxFormat::Mboxcl2;
  if (length && by_length && *length <= p_.max_message_bytes) {
    auto done = try_content_length(b, *length);
    if (!done) return fail(done.error());
    if (*done) return {};
  }
  std::string boundary = multipart_boundary(content_type);
  return read_body_lines(b, boundary.empty() ? std::string() : "--" + boundary + "--");
}

Result<bool> MboxSource::try_content_length(Building& b, std::size_t length) {
  auto view = in_.peek(length + 2 + kFromPeek);
  if (!view) return fail(view.error());
  if (view->size() < length) return false;  // truncated: the length is wrong
  bool input_ends = view->size() < length + 2 + kFromPeek;
  std::string_view rest = view->substr(length);
  auto lands = [&](std::string_view r) {
    return r.empty() ? input_ends : r.starts_with("From ");
  };
  std::size_t framing = 0;
  if (lands(rest)) {
    framing = 0;
  } else if (rest.starts_with("\n") && lands(rest.substr(1))) {
    framing = 1;
  } else if (rest.starts_with("\r\n") && lands(rest.substr(2))) {
    framing = 2;
  } else {
    return false;
  }
  std::string_view body = view->substr(0, length);
  Unquote mode = p_.format == MboxFormat::Mboxcl2 || has_unquoted_from(body) ? Unquote::None
                                                                              : unquote_;
  b.append_block(body, mode);
  in_.skip(length + framing);
  if (auto st = take_next_from_line(); !st) return fail(st.error());
  return true;
}

Status MboxSource::take_next_from_line() {
  LineReader::Line line;
  auto got = in_.next(line);
  if (!got) return fail(got.error());
  if (*got) set_next_from(line.text);
  return {};
}

Result<bool> MboxSource::inside_multipart(std::string_view close) {
  auto ahead = in_.peek(std::min(kMultipartLookahead, p_.max_message_bytes));
  if (!ahead) return fail(ahead.error());
  std::string_view w = *ahead;
  for (std::size_t at = 0; at < w.size();) {
    std::size_t nl = w.find('\n', at);
    if (nl == std::string_view::npos) break;
    std::string_view line = w.substr(at, nl + 1 - at);
    if (line.starts_with(close)) return true;
    if (is_dated_from_line(line)) return false;
    at = nl + 1;
  }
  return false;
}

Status MboxSource::read_body_lines(Building& b, const std::string& close) {
  LineReader::Line line;
  bool line_start = true;
  bool multipart_open = !close.empty();  // the closing delimiter is still to come
  bool prev_blank = true;  // the header block ended with a blank line
  std::string held;        // a blank line held back: framing if a From_ line follows
  for (;;) {
    auto got = in_.next(line);
    if (!got) return fail(got.error());
    if (!*got) return {};
    if (line_start && multipart_open && line.text.starts_with(close)) multipart_open = false;
    if (line_start && line.text.starts_with("From ")) {
      if (is_dated_from_line(line.text)) {
        if (!multipart_open) {
          set_next_from(line.text);
          return {};
        }
        std::string candidate(line.text);
        auto inside = inside_multipart(close);
        if (!inside) return fail(inside.error());
        if (!*inside) {
          from_offset_ = in_.offset() - candidate.size();
          from_line_ = std::move(candidate);
          have_from_ = true;
          return {};
        }
        if (!held.empty()) b.append(held), held.clear();
        b.append_unquoted(candidate, unquote_);
        prev_blank = false;
        continue;
      }
      if (prev_blank && is_bare_from_line(line.text)) {
        std::string candidate(line.text);
        auto ahead = in_.peek_line();
        if (!ahead) return fail(ahead.error());
        if (looks_like_header(*ahead)) {
          from_offset_ = in_.offset() - candidate.size();
          from_line_ = std::move(candidate);
          have_from_ = true;
          return {};
        }
        if (!held.empty()) b.append(held), held.clear();
        b.append_unquoted(candidate, unquote_);
        prev_blank = false;
        continue;
      }
    }
    if (line_start && is_blank_line(line.text)) {
      if (!held.empty()) b.append(held);
      held.assign(line.text);
      prev_blank = true;
      continue;
    }
    if (!held.empty()) b.append(held), held.clear();
    if (line_start) {
      b.append_unquoted(line.text, unquote_);
    } else {
      b.append(line.text);
    }
    prev_blank = false;
    line_start = line.complete;
  }
}

}  // namespace crmr
