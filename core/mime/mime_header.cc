#include "core/mime/mime_header.h"

#include <algorithm>
#include <map>

#include "core/mime/charset.h"

namespace crmr {
namespace {

bool is_field_name_char(unsigned char c) { return c > 32 && c < 127 && c != ':'; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = char(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = char(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

// Name of a field line ("Subject: x" -> "Subject"), or empty if the line is
// not a field. Tolerates blanks before the colon ("Subject : x").
std::string_view field_name(std::string_view line, std::size_t& colon) {
  colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0) return {};
  std::string_view name = line.substr(0, colon);
  while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.remove_suffix(1);
  if (name.empty()) return {};
  for (unsigned char c : name)
    if (!is_field_name_char(c)) return {};
  return name;
}

}  // namespace


SplitEntity split_entity(std::string_view raw, const ParseLimits& limits,
                         std::vector<std::string>& warnings, bool top_level) {
  SplitEntity out;
  std::size_t pos = 0;
  std::size_t header_bytes = 0;
  bool block_cut = false, line_cut = false, nul_seen = false;
  bool current_dropped = false;  // the field being continued was dropped
  if (top_level) {
    if (raw.starts_with("\xEF\xBB\xBF")) pos = 3;
    while (pos < raw.size()) {  // blank lines before the header
      std::size_t nl = raw.find('\n', pos);
      if (nl == std::string_view::npos || !trim(raw.substr(pos, nl - pos)).empty()) break;
      pos = nl + 1;
    }
    if (raw.substr(pos).starts_with("From ")) {
      std::size_t nl = raw.find('\n', pos);
      pos = nl == std::string_view::npos ? raw.size() : nl + 1;
    }
  }
  while (true) {
    if (pos >= raw.size()) {
      out.body = {};
      break;
    }
    std::size_t nl = raw.find('\n', pos);
    std::size_t line_end = nl == std::string_view::npos ? raw.size() : nl;
    std::size_t next = nl == std::string_view::npos ? raw.size() : nl + 1;
    std::string_view line = raw.substr(pos, line_end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) {
      out.body = raw.substr(next);
      break;
    }
    header_bytes += std::min(next - pos, limits.max_header_line);  // cut lines count as cut
    bool over_block = header_bytes > limits.max_header_bytes;
    if (over_block && !block_cut) {
      block_cut = true;
      warnings.push_back("header block longer than " + std::to_string(limits.max_header_bytes) +
                         " bytes: later fields dropped");
    }
    if (line[0] == ' ' || line[0] == '\t') {
      if (!out.fields.empty() && !current_dropped && !over_block) {
        std::string& v = out.fields.back().value;
        if (v.size() + line.size() > limits.max_header_line) {
          if (!line_cut)
            warnings.push_back("header field " + out.fields.back().name + " longer than " +
                               std::to_string(limits.max_header_line) + " bytes: cut");
          line_cut = true;
          std::size_t room = limits.max_header_line > v.size() ? limits.max_header_line - v.size() : 0;
          v.append(line.substr(0, room));
          current_dropped = true;
        } else {
          v.append(line);
        }
      }
      pos = next;
      continue;
    }
    std::size_t colon;
    std::string_view name = field_name(line, colon);
    if (name.empty()) {
      if (top_level && !out.header_found && line.starts_with(">From ")) {  // escaped envelope line
        pos = next;
        continue;
      }
      if (out.header_found)
        warnings.push_back("no blank line between header and body");
      out.body = raw.substr(pos);
      break;
    }
    out.header_found = true;
    if (over_block) {
      current_dropped = true;
      pos = next;
      continue;
    }
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    if (value.size() > limits.max_header_line) {
      if (!line_cut)
        warnings.push_back("header field " + std::string(name) + " longer than " +
                           std::to_string(limits.max_header_line) + " bytes: cut");
      line_cut = true;
      value = value.substr(0, limits.max_header_line);
      current_dropped = true;
    } else {
      current_dropped = false;
    }
    out.fields.push_back(Header{std::string(name), std::string(value)});
    pos = next;
  }
  for (Header& h : out.fields) {
    while (!h.value.empty() && (h.value.back() == ' ' || h.value.back() == '\t' || h.value.back() == '\r'))
      h.value.pop_back();
    for (char& c : h.value)
      if (c == '\0' || c == '\r') {
        nul_seen |= c == '\0';
        c = ' ';
      }
  }
  if (nul_seen) warnings.push_back("NUL bytes in header replaced by spaces");
  return out;
}

const Header* find_field(const std::vector<Header>& fields, std::string_view name) {
  for (const Header& h : fields)
    if (iequals(h.name, name)) return &h;
  return nullptr;
}

const std::string& StructuredValue::param(std::string_view name) const {
  static const std::string empty;
  for (const auto& [n, v] : params)
    if (n == name) return v;
  return empty;
}

namespace {

struct RawParam {
  std::string name;   // lower-cased, with any "*N*" suffix
  std::string value;  // unquoted
};

std::vector<RawParam> raw_params(std::string_view s, std::size_t pos) {
  std::vector<RawParam> out;
  while (pos < s.size() && out.size() < 256) {
    while (pos < s.size() && (s[pos] == ';' || s[pos] == ' ' || s[pos] == '\t')) ++pos;
    std::size_t name_begin = pos;
    while (pos < s.size() && s[pos] != '=' && s[pos] != ';') ++pos;
    std::string name = ascii_lower(trim(s.substr(name_begin, pos - name_begin)));
    if (pos >= s.size() || s[pos] != '=') continue;  // a bare word: ignored
    ++pos;
    while (pos < s.size() && (s[pos] == ' ' || s[pos] == '\t')) ++pos;
    std::string value;
    if (pos < s.size() && s[pos] == '"') {
      ++pos;
      while (pos < s.size() && s[pos] != '"') {
        // Backslash escapes only quotes and backslashes, so "C:\dir\f.txt" survives.
        if (s[pos] == '\\' && pos + 1 < s.size() && (s[pos + 1] == '"' || s[pos + 1] == '\\')) ++pos;
        value.push_back(s[pos++]);
      }
      if (pos < s.size()) ++pos;
      while (pos < s.size() && s[pos] != ';') ++pos;  // junk after the closing quote
    } else {
      std::size_t b = pos;
      while (pos < s.size() && s[pos] != ';') ++pos;
      value = std::string(trim(s.substr(b, pos - b)));
    }
    if (!name.empty()) out.push_back({std::move(name), std::move(value)});
  }
  return out;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void percent_decode(std::string_view in, std::string& out) {
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '%' && i + 2 < in.size() && hex_digit(in[i + 1]) >= 0 && hex_digit(in[i + 2]) >= 0) {
      out.push_back(char(hex_digit(in[i + 1]) * 16 + hex_digit(in[i + 2])));
      i += 2;
    } else {
      out.push_back(in[i]);
    }
  }
}

bool verbatim_param(std::string_view name) { return name == "boundary" || name == "charset"; }

}  // namespace

StructuredValue parse_structured(std::string_view raw) {
  StructuredValue out;
  std::size_t semi = raw.find(';');
  std::string_view head = raw.substr(0, semi);
  if (auto paren = head.find('('); paren != std::string_view::npos) head = head.substr(0, paren);
  out.value = ascii_lower(trim(head));
  if (semi == std::string_view::npos) return out;

  // Group RFC 2231 sections by base name: "name*1*" -> ("name", 1, extended).
  struct Section {
    int index;
    bool extended;
    std::string value;
  };
  std::map<std::string, std::vector<Section>> sectioned;
  std::vector<std::string> order;
  for (RawParam& p : raw_params(raw, semi + 1)) {
    std::string base = p.name;
    int index = -1;
    bool extended = false;
    if (auto star = base.find('*'); star != std::string::npos) {
      std::string_view rest = std::string_view(base).substr(star + 1);
      extended = !rest.empty() && rest.back() == '*';
      if (extended) rest.remove_suffix(1);
      if (rest.empty()) {
        index = extended ? -2 : -1;  // "name*": one extended value
        extended = true;
      } else {
        index = 0;
        for (char c : rest) index = (c >= '0' && c <= '9' && index < 100000) ? index * 10 + (c - '0') : index;
      }
      base.resize(star);
    }
    if (!sectioned.contains(base)) order.push_back(base);
    sectioned[base].push_back({index, extended, std::move(p.value)});
  }
  for (const std::string& name : order) {
    std::vector<Section>& secs = sectioned[name];
    const Section* plain = nullptr;
    const Section* single_ext = nullptr;
    std::vector<const Section*> parts;
    for (const Section& s : secs) {
      if (s.index == -1 && !s.extended) { if (!plain) plain = &s; }
      else if (s.index == -2) { if (!single_ext) single_ext = &s; }
      else if (s.index >= 0) parts.push_back(&s);
    }
    std::string value;
    if (!parts.empty()) {
      std::stable_sort(parts.begin(), parts.end(),
                       [](const Section* a, const Section* b) { return a->index < b->index; });
      std::string charset, bytes;
      for (std::size_t k = 0; k < parts.size(); ++k) {
        std::string_view v = parts[k]->value;
        if (parts[k]->extended) {
          if (k == 0) {
            std::size_t q1 = v.find('\'');
            std::size_t q2 = q1 == std::string_view::npos ? q1 : v.find('\'', q1 + 1);
            if (q2 != std::string_view::npos) {
              charset = std::string(v.substr(0, q1));
              v.remove_prefix(q2 + 1);
            }
          }
          percent_decode(v, bytes);
        } else {
          bytes.append(v);
        }
      }
      value = verbatim_param(name) ? bytes
              : bytes.find("=?") != std::string::npos && charset.empty() ? decode_header_text(bytes)
                                                                          : to_utf8(bytes, charset);
    } else if (single_ext) {
      value = verbatim_param(name) ? single_ext->value : decode_rfc2231(single_ext->value);
    } else if (plain) {
      value = verbatim_param(name) ? plain->value
              : plain->value.find("=?") != std::string::npos ? decode_header_text(plain->value)
                                                            : to_utf8(plain->value, "");
    }
    out.params.emplace_back(name, std::move(value));
  }
  return out;
}

}  // namespace crmr
