// Writing report JSON straight into a string, without building a JSON
// document: entry_to_json runs once per message in the pipeline (10,000+
// messages/s), and the streaming writers call it for every entry. The key
// order and null rules are those documented in report_json.cc; reading is
// done there with nlohmann::json.
#include <array>
#include <charconv>
#include <cstdint>

#include "core/report/report.h"
#include "core/report/report_internal.h"

namespace crmr {
namespace report_detail {
namespace {

// What a byte needs in a JSON string: copied as is, escaped (C0, '"', '\\'),
// checked as the start of a UTF-8 sequence, or escaped only when html_safe.
enum ByteClass : std::uint8_t { kCopy, kEscape, kMultibyte, kHtml };

constexpr std::array<std::uint8_t, 256> make_classes() {
  std::array<std::uint8_t, 256> t{};
  for (int c = 0; c < 256; ++c)
    t[c] = c < 0x20 || c == '"' || c == '\\' ? kEscape
           : c >= 0x80                        ? kMultibyte
           : c == '<' || c == '>' || c == '&' ? kHtml
                                              : kCopy;
  return t;
}
constexpr std::array<std::uint8_t, 256> kClasses = make_classes();

void append_escape(std::string& out, unsigned char c) {
  switch (c) {
    case '"': out += "\\\""; return;
    case '\\': out += "\\\\"; return;
    case '\b': out += "\\b"; return;
    case '\t': out += "\\t"; return;
    case '\n': out += "\\n"; return;
    case '\f': out += "\\f"; return;
    case '\r': out += "\\r"; return;
    default: {
      constexpr char kHex[] = "0123456789abcdef";
      const char u[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
      out.append(u, 6);
    }
  }
}

void append_string_or_null(std::string& out, const std::string& s, bool html_safe) {
  if (s.empty()) out += "null";
  else append_json_string(out, s, html_safe);
}

void append_bool(std::string& out, bool b) { out += b ? "true" : "false"; }

void append_uint(std::string& out, std::uint64_t n) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, n);
  out.append(buf, r.ptr);
}

}  // namespace

void append_json_string(std::string& out, std::string_view s, bool html_safe) {
  out += '"';
  const char* p = s.data();
  const std::size_t n = s.size();
  std::size_t start = 0;  // first byte not yet appended
  for (std::size_t i = 0; i < n;) {
    const auto c = static_cast<unsigned char>(p[i]);
    const std::uint8_t cls = kClasses[c];
    if (cls == kCopy || (cls == kHtml && !html_safe)) {
      ++i;
      continue;
    }
    if (cls == kMultibyte) {
      std::size_t j = i;
      if (next_code_point(s, j) >= 0) {  // valid: stays in the run being copied
        i = j;
        continue;
      }
      out.append(p + start, i - start);
      out += "\xEF\xBF\xBD";
      start = i = j;
      continue;
    }
    out.append(p + start, i - start);
    if (cls == kHtml) out += c == '<' ? "\\u003c" : c == '>' ? "\\u003e" : "\\u0026";
    else append_escape(out, c);
    start = ++i;
  }
  out.append(p + start, n - start);
  out += '"';
}

void append_entry_json(std::string& out, const ReportEntry& e, bool h) {
  const auto str = [&](const char* key, const std::string& v) {
    out += key;
    append_json_string(out, v, h);
  };
  const auto opt = [&](const char* key, const std::string& v) {
    out += key;
    append_string_or_null(out, v, h);
  };
  str("{\"source\":", e.source);
  str(",\"position\":", e.position);
  str(",\"message_id\":", e.message_id);
  str(",\"key\":", e.key);
  opt(",\"date\":", e.date);
  str(",\"from\":", e.from);
  opt(",\"forwarded_by\":", e.forwarded_by);
  str(",\"subject\":", e.subject);
  str(",\"outcome\":", e.outcome);
  str(",\"reason\":", e.reason);
  str(",\"correlation\":", e.correlation);
  if (e.regarding) {
    str(",\"regarding\":{\"entity\":", e.regarding->entity);
    str(",\"id\":", e.regarding->id);
    out += '}';
  } else {
    out += ",\"regarding\":null";
  }
  opt(",\"correlated_activity_id\":", e.correlated_activity_id);
  out += ",\"accepted_by\":[";
  for (std::size_t i = 0; i < e.accepted_by.size(); ++i) {
    const Acceptor& a = e.accepted_by[i];
    str(i == 0 ? "{\"entity\":" : ",{\"entity\":", a.entity);
    str(",\"id\":", a.id);
    str(",\"name\":", a.name);
    str(",\"via\":", a.via);
    out += '}';
  }
  out += ']';
  out += ",\"parties\":[";
  for (std::size_t i = 0; i < e.parties.size(); ++i) {
    const Party& p = e.parties[i];
    str(i == 0 ? "{\"role\":" : ",{\"role\":", p.role);
    str(",\"address\":", p.address);
    opt(",\"entity\":", p.entity);
    opt(",\"id\":", p.id);
    str(",\"name\":", p.name);
    if (!p.create.empty()) str(",\"create\":", p.create);
    out += '}';
  }
  out += "],\"attachments\":[";
  for (std::size_t i = 0; i < e.attachments.size(); ++i) {
    const AttachmentVerdict& a = e.attachments[i];
    str(i == 0 ? "{\"filename\":" : ",{\"filename\":", a.filename);
    out += ",\"bytes\":";
    append_uint(out, a.bytes);
    out += ",\"kept\":";
    append_bool(out, a.kept);
    str(",\"why\":", a.why);
    out += '}';
  }
  out += "],\"warnings\":[";
  for (std::size_t i = 0; i < e.warnings.size(); ++i) {
    if (i > 0) out += ',';
    append_json_string(out, e.warnings[i], h);
  }
  out += ']';
  opt(",\"error\":", e.error);
  opt(",\"activity_id\":", e.activity_id);
  out += ",\"queues\":[";
  for (std::size_t i = 0; i < e.queues.size(); ++i) {
    const QueueItemRef& q = e.queues[i];
    str(i == 0 ? "{\"queue_id\":" : ",{\"queue_id\":", q.queue_id);
    str(",\"queue\":", q.queue);
    str(",\"item_id\":", q.item_id);
    out += '}';
  }
  out += ']';
  out += ",\"steps\":[";
  for (std::size_t i = 0; i < e.steps.size(); ++i) {
    const Step& s = e.steps[i];
    str(i == 0 ? "{\"rule\":" : ",{\"rule\":", s.rule);
    out += ",\"fired\":";
    append_bool(out, s.fired);
    str(",\"detail\":", s.detail);
    out += '}';
  }
  out += "]}";
}

}  // namespace report_detail

std::string entry_to_json(const ReportEntry& e) {
  std::string out;
  out.reserve(1024);
  report_detail::append_entry_json(out, e, /*html_safe=*/false);
  return out;
}

}  // namespace crmr
