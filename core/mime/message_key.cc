// Content-derived message keys: the same message read from an mbox, a Maildir
// or IMAP must hash the same, so only decoded, normalised content goes in.
#include "core/mime/message_key.h"

#include <string>

#include "core/mime/mime_body.h"
#include "core/mime/mime_header.h"
#include "core/mime/mime_parser.h"
#include "core/base/normalize.h"
#include "core/base/sha256.h"

namespace crmr {
namespace {

void add_addresses(std::string& d, const char* label, const std::vector<Address>& list) {
  d += label;
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (i) d.push_back(',');
    d += normalize_address(list[i].address);
  }
  d.push_back('\n');
}

// Body lines with trailing blanks removed, mbox "From " quoting (any number of
// '>') undone, and trailing empty lines dropped.
void add_body(std::string& d, std::string_view text) {
  std::string norm = normalize_text(text);
  std::string out;
  out.reserve(norm.size());
  std::size_t pos = 0;
  while (pos <= norm.size()) {
    std::size_t nl = norm.find('\n', pos);
    std::string_view line = std::string_view(norm).substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
    std::size_t q = 0;
    while (q < line.size() && line[q] == '>') ++q;
    if (q > 0 && line.substr(q).starts_with("From ")) line.remove_prefix(q);
    out.append(line);
    out.push_back('\n');
    if (nl == std::string::npos) break;
    pos = nl + 1;
  }
  while (!out.empty() && out.back() == '\n') out.pop_back();
  d += out;
  d.push_back('\n');
}

}  // namespace

std::string message_key(const Message& msg, std::string_view raw) {
  if (!msg.message_id.empty()) return msg.message_id;
  std::string d;
  d.reserve(msg.text_body.size() + 256);
  add_addresses(d, "from:", msg.from);
  d += "date:";
  d += msg.date ? std::to_string(*msg.date) : std::string(trim(msg.date_raw));
  d += "\nsubject:";
  d += trim(msg.subject);
  d.push_back('\n');
  add_addresses(d, "to:", msg.to);
  d += "body:\n";
  if (!msg.text_body.empty()) {
    add_body(d, msg.text_body);
  } else if (!msg.html_body.empty()) {
    add_body(d, msg.html_body);
  } else if (msg.attachments.empty()) {
    // Nothing decoded: the raw body stands in for the content.
    std::vector<std::string> ignored;
    add_body(d, split_entity(raw, ParseLimits{}, ignored, /*top_level=*/true).body);
  }
  for (const Attachment& a : msg.attachments)
    d += "attachment:" + a.content_type + ":" + std::to_string(a.size) + ":" + a.filename + "\n";
  return "sha256:" + sha256_hex(d);
}

}  // namespace crmr
