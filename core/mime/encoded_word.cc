// Header decoding declared in charset.h: RFC 2047 encoded words (B and Q, any
// charset) and RFC 2231 extended parameter values, with raw 8-bit text run
// through the to_utf8 fallback.
#include <string>
#include <string_view>

#include "core/mime/charset.h"
#include "core/base/ascii.h"

namespace crmr {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

int base64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+' || c == '-') return 62;  // '-' and '_': the URL-safe alphabet some mailers use
  if (c == '/' || c == '_') return 63;
  return -1;
}

// Lenient base64: skips characters outside the alphabet, stops at padding.
void decode_b(std::string_view in, std::string& out) {
  std::uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    if (c == '=') break;
    int v = base64_value(c);
    if (v < 0) continue;
    acc = (acc << 6) | std::uint32_t(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(char((acc >> bits) & 0xFF));
    }
  }
}

// `underscore` is what '_' stands for: a space per RFC 2047, but some Big5 and
// GBK mailers leave a raw 0x5F trail byte in Q text, so the caller may retry.
void decode_q(std::string_view in, std::string& out, char underscore) {
  for (std::size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '_') {
      out.push_back(underscore);
    } else if (c == '=' && i + 2 < in.size() && hex_value(in[i + 1]) >= 0 &&
               hex_value(in[i + 2]) >= 0) {
      out.push_back(char(hex_value(in[i + 1]) * 16 + hex_value(in[i + 2])));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
}

struct EncodedWord {
  std::string_view charset;
  char encoding;          // 'B' or 'Q'
  std::string_view text;  // still encoded
  std::size_t end;        // index just past "?="
};

// Recognise an encoded word starting at value[p] ("=?cs?X?text?=").
bool parse_encoded_word(std::string_view value, std::size_t p, EncodedWord& w) {
  std::size_t cs_begin = p + 2;
  std::size_t q1 = value.find('?', cs_begin);
  if (q1 == std::string_view::npos || q1 == cs_begin || q1 - cs_begin > 64) return false;
  for (std::size_t i = cs_begin; i < q1; ++i)
    if (value[i] == ' ' || value[i] == '\t' || value[i] == '=') return false;
  if (q1 + 2 >= value.size() || value[q1 + 2] != '?') return false;
  char enc = value[q1 + 1];
  if (enc == 'b') enc = 'B';
  if (enc == 'q') enc = 'Q';
  if (enc != 'B' && enc != 'Q') return false;
  std::size_t text_begin = q1 + 3;
  std::size_t q2 = value.find('?', text_begin);
  if (q2 == std::string_view::npos || q2 + 1 >= value.size() || value[q2 + 1] != '=')
    return false;
  w.charset = value.substr(cs_begin, q1 - cs_begin);
  w.encoding = enc;
  w.text = value.substr(text_begin, q2 - text_begin);
  w.end = q2 + 2;
  return true;
}

bool all_space(std::string_view s) {
  for (char c : s)
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') return false;
  return true;
}

bool same_charset(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = char(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = char(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

}  // namespace

std::string decode_header_text(std::string_view value) {
  std::string out;
  if (value.find("=?") == std::string_view::npos) {
    out = to_utf8(value, "");
  } else {
    out.reserve(value.size());
    // Bytes of a run of adjacent encoded words in one charset, converted
    // together so a character split across words still decodes.
    std::string pending, pending_alt;  // alt: Q '_' read as 0x5F
    std::string_view pending_charset;
    bool have_pending = false, underscore = false;
    auto flush = [&] {
      if (have_pending) {
        bool replaced = false;
        std::string text = to_utf8(pending, pending_charset, &replaced);
        if (replaced && underscore) {
          bool alt_replaced = false;
          std::string alt = to_utf8(pending_alt, pending_charset, &alt_replaced);
          if (!alt_replaced) text = std::move(alt);
        }
        out += text;
      }
      pending.clear();
      pending_alt.clear();
      have_pending = underscore = false;
    };
    std::size_t i = 0;
    std::size_t search = 0;
    while (i < value.size()) {
      std::size_t p = value.find("=?", search);
      EncodedWord w;
      if (p == std::string_view::npos) {
        flush();
        out += to_utf8(value.substr(i), "");
        break;
      }
      if (!parse_encoded_word(value, p, w)) {
        search = p + 1;
        continue;
      }
      std::string_view between = value.substr(i, p - i);
      if (!(have_pending && all_space(between))) {
        flush();
        out += to_utf8(between, "");
      }
      if (have_pending && !same_charset(pending_charset, w.charset)) flush();
      pending_charset = w.charset;
      have_pending = true;
      std::size_t before = pending.size();
      if (w.encoding == 'B') {
        decode_b(w.text, pending);
        pending_alt.append(pending, before);
      } else {
        decode_q(w.text, pending, ' ');
        decode_q(w.text, pending_alt, '_');
        underscore |= w.text.find('_') != std::string_view::npos;
      }
      i = search = w.end;
    }
    flush();
  }
  for (char& c : out)
    if (c == '\r' || c == '\n' || c == '\0') c = ' ';
  std::string_view t = trim(out);
  if (t.size() != out.size()) out = std::string(t);
  return out;
}

std::string decode_rfc2231(std::string_view value) {
  std::string_view charset;
  std::size_t q1 = value.find('\'');
  if (q1 != std::string_view::npos) {
    std::size_t q2 = value.find('\'', q1 + 1);
    if (q2 != std::string_view::npos) {
      charset = value.substr(0, q1);
      value.remove_prefix(q2 + 1);
    }
  }
  std::string bytes;
  bytes.reserve(value.size());
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (value[i] == '%' && i + 2 < value.size() && hex_value(value[i + 1]) >= 0 &&
        hex_value(value[i + 2]) >= 0) {
      bytes.push_back(char(hex_value(value[i + 1]) * 16 + hex_value(value[i + 2])));
      i += 2;
    } else {
      bytes.push_back(value[i]);
    }
  }
  return to_utf8(bytes, charset);
}

}  // namespace crmr
