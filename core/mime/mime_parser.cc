// parse_message: raw bytes -> Message. The header is split by split_entity
// (bounded before anything else sees it); the MIME tree is walked here, one
// level of recursion per multipart with a depth limit. message/rfc822 parts are
// never descended into: they become attachments holding the raw inner
// message, parsed later only if unwrap_forward asks for it, so hostile nesting
// costs nothing.
#include "core/mime/mime_parser.h"

#include <algorithm>
#include <string>

#include "core/mime/address.h"
#include "core/mime/charset.h"
#include "core/base/date_parse.h"
#include "core/mime/mime_body.h"
#include "core/mime/mime_header.h"
#include "core/base/normalize.h"
#include "core/mime/tnef.h"

namespace crmr {
namespace {

// Where a part sits in the tree.
struct PartContext {
  std::string_view parent_subtype;  // "mixed", "alternative", "related", "digest", ...
  bool in_alternative = false;      // some ancestor is multipart/alternative
};

class Walker {
 public:
  Walker(const ParseLimits& limits, Message& msg) : limits_(limits), msg_(msg) {}

  void entity(const SplitEntity& e, int depth, const PartContext& ctx);

 private:
  void multipart(const SplitEntity& e, const StructuredValue& ct, int depth, const PartContext& ctx);
  void leaf(const SplitEntity& e, const StructuredValue& ct, std::string_view type,
            const PartContext& ctx);
  void warn_once(bool& flag, std::string text) {
    if (!flag) msg_.warnings.push_back(std::move(text));
    flag = true;
  }

  const ParseLimits& limits_;
  Message& msg_;
  std::size_t parts_ = 1;
  bool have_text_ = false, have_html_ = false;
  bool depth_warned_ = false, parts_warned_ = false, nul_warned_ = false;
};

std::string_view field_value(const std::vector<Header>& fields, std::string_view name) {
  const Header* h = find_field(fields, name);
  return h ? std::string_view(h->value) : std::string_view();
}

// Decoded Subject of a raw inner message, for naming a message/rfc822 attachment.
std::string inner_subject(std::string_view raw, const ParseLimits& limits) {
  std::vector<std::string> ignored;
  ParseLimits small = limits;
  small.max_header_bytes = std::min<std::size_t>(limits.max_header_bytes, 64 * 1024);
  SplitEntity inner = split_entity(raw, small, ignored, /*top_level=*/true);
  return decode_header_text(field_value(inner.fields, "Subject"));
}

std::string safe_filename(std::string name) {
  for (char& c : name)
    if (c == '/' || c == '\\' || static_cast<unsigned char>(c) < 32) c = '_';
  if (name.size() > 200) name.resize(200);
  return name;
}

void Walker::entity(const SplitEntity& e, int depth, const PartContext& ctx) {
  std::string_view ct_raw = field_value(e.fields, "Content-Type");
  StructuredValue ct = parse_structured(ct_raw);
  std::string type = ct.value;
  if (type.find('/') == std::string::npos || type.front() == '/' || type.back() == '/') {
    if (!ct_raw.empty() && !type.empty())
      msg_.warnings.push_back("unreadable Content-Type \"" + std::string(ct_raw.substr(0, 80)) +
                              "\": read as text/plain");
    type = ctx.parent_subtype == "digest" ? "message/rfc822" : "text/plain";
    if (type == "text/plain") ct.params.erase(std::remove_if(ct.params.begin(), ct.params.end(),
                                                             [](auto& p) { return p.first != "charset"; }),
                                              ct.params.end());
  }
  if (type.starts_with("multipart/")) multipart(e, ct, depth, ctx);
  else leaf(e, ct, type, ctx);
}

void Walker::multipart(const SplitEntity& e, const StructuredValue& ct, int depth,
                       const PartContext& ctx) {
  std::string_view subtype = std::string_view(ct.value).substr(10);
  if (subtype == "report" && ascii_lower(ct.param("report-type")) == "delivery-status")
    msg_.is_delivery_status = true;
  const std::string& boundary = ct.param("boundary");
  MultipartSplit split;
  if (!boundary.empty()) split = split_multipart(e.body, boundary, limits_.max_parts + 1);
  if (!split.found || (split.parts.empty() && !trim(e.body).empty())) {
    msg_.warnings.push_back(boundary.empty() ? "multipart without boundary: body read as text"
                            : split.found    ? "multipart without parts: body read as text"
                                             : "multipart boundary not found: body read as text");
    StructuredValue text;
    text.value = "text/plain";
    leaf(e, text, "text/plain", ctx);
    return;
  }
  if (!split.closed) msg_.warnings.push_back("multipart without closing boundary");
  if (depth + 1 > static_cast<int>(limits_.max_depth)) {
    warn_once(depth_warned_, "MIME nesting deeper than " + std::to_string(limits_.max_depth) +
                                 ": inner parts skipped");
    return;
  }
  PartContext child_ctx{subtype, ctx.in_alternative || subtype == "alternative"};
  for (std::string_view part : split.parts) {
    if (++parts_ > limits_.max_parts) {
      warn_once(parts_warned_, "more than " + std::to_string(limits_.max_parts) +
                                   " MIME parts: the rest skipped");
      return;
    }
    SplitEntity child = split_entity(part, limits_, msg_.warnings);
    entity(child, depth + 1, child_ctx);
  }
}

void Walker::leaf(const SplitEntity& e, const StructuredValue& ct, std::string_view type,
                  const PartContext& ctx) {
  StructuredValue disp = parse_structured(field_value(e.fields, "Content-Disposition"));
  std::string filename = disp.param("filename");
  if (filename.empty()) filename = ct.param("name");
  std::string_view cte = field_value(e.fields, "Content-Transfer-Encoding");
  bool attachment_disp = disp.value == "attachment";

  if ((type == "text/plain" || type == "text/html") && !attachment_disp && filename.empty()) {
    std::string decoded = decode_transfer(e.body, cte, msg_.warnings);
    bool had_nul = false;
    std::string text = normalize_text(to_utf8(decoded, ct.param("charset")), &had_nul);
    if (had_nul) warn_once(nul_warned_, "NUL bytes removed from text");
    bool html = type == "text/html";
    bool& have = html ? have_html_ : have_text_;
    std::string& body = html ? msg_.html_body : msg_.text_body;
    if (!have) {
      body = std::move(text);
      have = true;
    } else if (!ctx.in_alternative && !text.empty()) {
      if (!body.empty() && body.back() != '\n') body.push_back('\n');
      body += text;
    }
    return;
  }

  if (type == "message/delivery-status" || type == "message/global-delivery-status")
    msg_.is_delivery_status = true;
  Attachment a;
  a.content_type = std::string(type);
  a.content_id = std::string(trim(field_value(e.fields, "Content-ID")));
  if (a.content_id.size() >= 2 && a.content_id.front() == '<' && a.content_id.back() == '>')
    a.content_id = std::string(trim(std::string_view(a.content_id).substr(1, a.content_id.size() - 2)));
  a.is_inline = disp.value == "inline" || (disp.value.empty() && !a.content_id.empty());
  a.data = decode_transfer(e.body, cte, msg_.warnings);
  if (type == "message/rfc822" && filename.empty()) {
    std::string subject = inner_subject(a.data, limits_);
    filename = safe_filename((subject.empty() ? std::string("message") : subject) + ".eml");
  }
  a.filename = std::move(filename);
  a.size = a.data.size();
  msg_.attachments.push_back(std::move(a));
}

int priority_of(const std::vector<Header>& fields) {
  std::string v = ascii_lower(trim(field_value(fields, "Importance")));
  if (v.empty()) v = ascii_lower(trim(field_value(fields, "X-MSMail-Priority")));
  if (v.starts_with("high") || v.starts_with("urgent")) return 2;
  if (v.starts_with("low") || v.starts_with("non-urgent")) return 0;
  if (!v.empty()) return 1;
  std::string_view x = trim(field_value(fields, "X-Priority"));
  if (!x.empty() && x[0] >= '1' && x[0] <= '5') return x[0] <= '2' ? 2 : x[0] == '3' ? 1 : 0;
  std::string p = ascii_lower(trim(field_value(fields, "Priority")));
  if (p == "urgent") return 2;
  if (p == "non-urgent") return 0;
  return 1;
}

void read_top_level_fields(const std::vector<Header>& f, Message& msg) {
  std::string_view mid = field_value(f, "Message-ID");
  if (!mid.empty()) {
    auto ids = parse_message_id_list(mid);
    msg.message_id = ids.empty() ? normalize_message_id(mid) : ids.front();
  }
  msg.in_reply_to = parse_message_id_list(field_value(f, "In-Reply-To"));
  msg.references = parse_message_id_list(field_value(f, "References"));
  msg.thread_index = std::string(trim(field_value(f, "Thread-Index")));
  msg.date_raw = std::string(trim(field_value(f, "Date")));
  if (!msg.date_raw.empty()) {
    msg.date = parse_rfc5322_date(msg.date_raw);
    if (!msg.date) msg.warnings.push_back("unreadable Date \"" + msg.date_raw.substr(0, 80) + "\"");
  }
  msg.from = parse_address_list(field_value(f, "From"));
  msg.sender = parse_address_list(field_value(f, "Sender"));
  msg.reply_to = parse_address_list(field_value(f, "Reply-To"));
  msg.to = parse_address_list(field_value(f, "To"));
  msg.cc = parse_address_list(field_value(f, "Cc"));
  msg.bcc = parse_address_list(field_value(f, "Bcc"));
  msg.subject = decode_header_text(field_value(f, "Subject"));
  msg.auto_submitted = std::string(trim(field_value(f, "Auto-Submitted")));
  msg.precedence = std::string(trim(field_value(f, "Precedence")));
  msg.x_autoreply = std::string(trim(field_value(f, "X-Autoreply")));
  msg.x_auto_response_suppress = std::string(trim(field_value(f, "X-Auto-Response-Suppress")));
  msg.priority = priority_of(f);
}

bool blank(std::string_view s) { return trim(s).empty(); }

}  // namespace

Result<Message> parse_message(std::string_view raw, const ParseLimits& limits) {
  if (blank(raw)) return fail(Code::ParseEmpty, "the message is empty");
  if (raw.size() > limits.max_message_bytes)
    return fail(Code::ParseTooLarge,
                "the message is " + std::to_string(raw.size()) + " bytes, over the limit of " +
                    std::to_string(limits.max_message_bytes),
                "raise max_message_bytes to accept it");
  Message msg;
  msg.raw_size = raw.size();
  SplitEntity top = split_entity(raw, limits, msg.warnings, /*top_level=*/true);
  if (!top.header_found)
    return fail(Code::ParseNotAMessage, "no header fields found: this is not an e-mail message");
  read_top_level_fields(top.fields, msg);
  Walker walker(limits, msg);
  walker.entity(top, 0, PartContext{});
  // Outlook's winmail.dat (application/ms-tnef): replace it by the files and
  // body inside it (core/mime/tnef.h).
  expand_tnef(msg);
  msg.headers = std::move(top.fields);
  return msg;
}

}  // namespace crmr
