// Forward-mailbox unwrap (crm-router(1) ROUTING, forward mailbox): the outer message is a
// wrapper when its only real content is one attached message/rfc822 and at
// most a short note from the forwarding user.
#include "core/mime/unwrap.h"
#include "core/base/ascii.h"

#include <cctype>
#include <string_view>

namespace crmr {
namespace {

// Longest forwarding note (visible, non-blank characters) still taken as a wrapper.
constexpr std::size_t kMaxNoteChars = 1000;

// Visible non-blank characters of a text or HTML body (tags, style and script
// content, and entities like &nbsp; skipped).
std::size_t visible_chars(std::string_view s, bool html) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (html && c == '<') {
      std::string_view rest = s.substr(i);
      auto starts_ci = [&](std::string_view tag) {
        if (rest.size() < tag.size()) return false;
        for (std::size_t k = 0; k < tag.size(); ++k)
          if (ascii_lower(rest[k]) != tag[k]) return false;
        return true;
      };
      std::string_view close;
      if (starts_ci("<style")) close = "</style";
      else if (starts_ci("<script")) close = "</script";
      else if (starts_ci("<!--")) close = "-->";
      std::size_t end;
      if (!close.empty()) {
        end = i + 1;
        while (end < s.size() && !starts_ci(close)) {
          ++end;
          rest = s.substr(end);
        }
        end = s.find('>', end);
      } else {
        end = s.find('>', i);
      }
      if (end == std::string_view::npos) break;
      i = end;
      continue;
    }
    if (html && c == '&') {
      std::size_t semi = s.find(';', i);
      if (semi != std::string_view::npos && semi - i <= 8) {
        i = semi;
        ++n;
        continue;
      }
    }
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || (c & 0xC0) == 0x80) continue;
    ++n;
  }
  return n;
}

bool is_decoration(const Attachment& a) {
  // Inline images (signature logos) do not make a forward a real message.
  return a.is_inline && a.content_type.starts_with("image/");
}

}  // namespace

std::optional<Unwrapped> unwrap_forward(const Message& outer, const ParseLimits& limits) {
  const Attachment* inner = nullptr;
  for (const Attachment& a : outer.attachments) {
    if (a.content_type == "message/rfc822") {
      if (inner != nullptr) return std::nullopt;
      inner = &a;
    } else if (!is_decoration(a)) {
      return std::nullopt;
    }
  }
  if (inner == nullptr) return std::nullopt;
  std::size_t note = !outer.text_body.empty() ? visible_chars(outer.text_body, false)
                                              : visible_chars(outer.html_body, true);
  if (note > kMaxNoteChars) return std::nullopt;
  auto parsed = parse_message(inner->data, limits);
  if (!parsed) return std::nullopt;
  Unwrapped out;
  out.inner = std::move(*parsed);
  out.inner_raw = inner->data;
  if (!outer.from.empty()) out.forwarded_by = outer.from.front().address;
  else if (!outer.sender.empty()) out.forwarded_by = outer.sender.front().address;
  return out;
}

}  // namespace crmr
