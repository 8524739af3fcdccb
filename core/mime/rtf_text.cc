// A small RTF tokenizer driving two outputs: encapsulated HTML (text outside
// \htmlrtf regions plus the content of {\*\htmltagN ...} groups) and plain
// text (text outside ignored destinations). Group state lives on a stack
// capped at kMaxDepth; deeper groups share the innermost state.
#include "core/mime/rtf_text.h"

#include <cstdint>
#include <vector>

#include "core/mime/charset.h"
#include "core/mime/tnef_mapi.h"

namespace crmr {
namespace {

constexpr std::size_t kMaxDepth = 256;

bool is_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Destinations whose content is never text.
bool ignored_destination(std::string_view w) {
  static constexpr std::string_view kIgnored[] = {
      "fonttbl", "colortbl", "stylesheet", "info", "pict", "object", "header", "headerl",
      "headerr", "headerf", "footer", "footerl", "footerr", "footerf", "listtable",
      "listoverridetable", "rsidtbl", "generator", "xmlnstbl", "themedata", "colorschememapping",
      "datastore", "latentstyles", "filetbl", "revtbl", "pgdsctbl", "fldinst", "mhtmltag",
      "bkmkstart", "bkmkend", "ftnsep", "ftnsepc", "aftnsep", "aftnsepc", "template", "userprops",
      "nonshppict", "shppict", "xe", "tc", "private"};
  for (std::string_view d : kIgnored)
    if (w == d) return true;
  return false;
}

class RtfReader {
 public:
  RtfReader(std::string_view rtf, bool html) : in_(rtf), html_(html) {}

  std::string run() {
    stack_.push_back(State{});
    while (pos_ < in_.size()) {
      char c = in_[pos_++];
      if (c == '{') {
        open_group();
      } else if (c == '}') {
        close_group();
      } else if (c == '\\') {
        control();
      } else if (c == '\r' || c == '\n') {
        continue;
      } else {
        literal_byte(c);
      }
    }
    flush();
    return std::move(out_);
  }

 private:
  struct State {
    bool skip = false;     // inside an ignored destination
    bool htmlrtf = false;  // inside \htmlrtf ... \htmlrtf0 (RTF-only material)
    bool htmltag = false;  // inside {\*\htmltagN ...}
    int uc = 1;            // characters to skip after \uN
  };

  State& st() { return stack_.back(); }

  bool visible() {
    const State& s = st();
    if (s.skip) return false;
    if (html_) return s.htmltag || !s.htmlrtf;
    return !s.htmlrtf;
  }

  void open_group() {
    flush();
    skip_chars_ = 0;
    if (stack_.size() >= kMaxDepth) {
      ++overflow_;
    } else {
      stack_.push_back(st());
    }
    group_start_ = true;
  }

  void close_group() {
    flush();
    skip_chars_ = 0;
    group_start_ = false;
    starred_ = false;
    if (overflow_ > 0) --overflow_;
    else if (stack_.size() > 1) stack_.pop_back();
  }

  void literal_byte(char c) {
    group_start_ = false;
    if (skip_chars_ > 0) {
      --skip_chars_;
      return;
    }
    if (!visible()) return;
    pending_.push_back(c);
  }

  void emit(std::string_view utf8) {
    if (!visible()) return;
    flush();
    out_.append(utf8);
  }

  void emit_code_point(std::uint32_t cp) {
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      high_surrogate_ = cp;
      return;
    }
    if (cp >= 0xDC00 && cp <= 0xDFFF) {
      if (high_surrogate_ == 0) return;
      cp = 0x10000 + ((high_surrogate_ - 0xD800) << 10) + (cp - 0xDC00);
    }
    high_surrogate_ = 0;
    if (cp == 0) return;
    char16_t units[2] = {};
    std::string bytes;
    if (cp >= 0x10000) {
      units[0] = char16_t(0xD800 + ((cp - 0x10000) >> 10));
      units[1] = char16_t(0xDC00 + ((cp - 0x10000) & 0x3FF));
      for (char16_t u : units) bytes += {char(u & 0xFF), char(u >> 8)};
    } else {
      bytes = {char(cp & 0xFF), char(cp >> 8)};
    }
    emit(utf16le_to_utf8(bytes));
  }

  void flush() {
    if (pending_.empty()) return;
    out_ += to_utf8(pending_, charset_);
    pending_.clear();
  }

  void control() {
    if (pos_ >= in_.size()) return;
    char c = in_[pos_];
    if (!is_letter(c)) {
      ++pos_;
      symbol(c);
      return;
    }
    std::size_t start = pos_;
    while (pos_ < in_.size() && is_letter(in_[pos_]) && pos_ - start < 32) ++pos_;
    std::string_view word = in_.substr(start, pos_ - start);
    bool has_param = false;
    long long param = 0;
    bool negative = pos_ < in_.size() && in_[pos_] == '-';
    if (negative) ++pos_;
    std::size_t digits = 0;
    while (pos_ < in_.size() && is_digit(in_[pos_])) {
      if (digits++ < 10) param = param * 10 + (in_[pos_] - '0');
      has_param = true;
      ++pos_;
    }
    if (negative) param = -param;
    if (pos_ < in_.size() && in_[pos_] == ' ') ++pos_;
    word_(word, has_param, param);
  }

  void symbol(char c) {
    bool first = group_start_;
    group_start_ = false;
    switch (c) {
      case '\'': {
        if (pos_ + 2 > in_.size()) {
          pos_ = in_.size();  // cut short: nothing to decode
          return;
        }
        int hi = hex_value(in_[pos_]), lo = hex_value(in_[pos_ + 1]);
        pos_ += 2;
        if (hi < 0 || lo < 0) return;
        if (skip_chars_ > 0) {
          --skip_chars_;
          return;
        }
        if (visible()) pending_.push_back(char(hi * 16 + lo));
        return;
      }
      case '*':
        starred_ = first;
        group_start_ = first;  // the destination word follows
        return;
      case '{': case '}': case '\\':
        if (skip_chars_ > 0) {
          --skip_chars_;
          return;
        }
        emit(std::string_view(&c, 1));
        return;
      case '~': emit("\u00A0"); return;
      case '_': emit("-"); return;
      case '\r': case '\n': emit("\n"); return;
      default: return;
    }
  }

  void word_(std::string_view w, bool has_param, long long param) {
    bool first = group_start_;
    bool starred = starred_;
    group_start_ = false;
    starred_ = false;
    if (first) {
      if (html_ && starred && w == "htmltag") {
        st().htmltag = true;
        st().skip = false;
        return;
      }
      if (starred || ignored_destination(w)) {
        st().skip = true;
        return;
      }
    }
    if (w == "bin") {  // raw bytes, never text
      std::size_t n = has_param && param > 0 ? std::size_t(param) : 0;
      pos_ += std::min(n, in_.size() - pos_);
      return;
    }
    if (w == "htmlrtf") {
      st().htmlrtf = !has_param || param != 0;
      return;
    }
    if (w == "ansicpg" && has_param && param > 0) {
      flush();
      charset_ = codepage_charset(std::uint32_t(param));
      return;
    }
    if (w == "uc" && has_param && param >= 0 && param < 16) {
      st().uc = int(param);
      return;
    }
    if (w == "u" && has_param) {
      emit_code_point(std::uint32_t(param < 0 ? param + 65536 : param) & 0xFFFF);
      skip_chars_ = st().uc;
      return;
    }
    if (w == "par" || w == "line" || w == "row" || w == "sect" || w == "page") emit("\n");
    else if (w == "tab" || w == "cell") emit("\t");
    else if (w == "lquote" || w == "rquote") emit("\u2019");
    else if (w == "ldblquote") emit("\u201C");
    else if (w == "rdblquote") emit("\u201D");
    else if (w == "bullet") emit("\u2022");
    else if (w == "endash") emit("\u2013");
    else if (w == "emdash") emit("\u2014");
    else if (w == "emspace" || w == "enspace" || w == "qmspace") emit(" ");
  }

  std::string_view in_;
  bool html_;
  std::size_t pos_ = 0;
  std::vector<State> stack_;
  std::size_t overflow_ = 0;
  bool group_start_ = false, starred_ = false;
  int skip_chars_ = 0;
  std::uint32_t high_surrogate_ = 0;
  std::string charset_ = "windows-1252";
  std::string pending_;  // code-page bytes not yet converted
  std::string out_;
};

// The RTF header: everything before the font table (where \fromhtml1 lives).
std::string_view header_of(std::string_view rtf) {
  std::size_t end = rtf.find("{\\fonttbl");
  return rtf.substr(0, std::min<std::size_t>(end == std::string_view::npos ? rtf.size() : end, 4096));
}

}  // namespace

RtfOrigin rtf_origin(std::string_view rtf) {
  std::string_view head = header_of(rtf);
  if (!head.starts_with("{\\rtf")) return RtfOrigin::Rtf;
  if (head.find("\\fromhtml1") != std::string_view::npos) return RtfOrigin::Html;
  if (head.find("\\fromtext") != std::string_view::npos) return RtfOrigin::Text;
  return RtfOrigin::Rtf;
}

std::string rtf_to_html(std::string_view rtf) { return RtfReader(rtf, /*html=*/true).run(); }

std::string rtf_to_text(std::string_view rtf) { return RtfReader(rtf, /*html=*/false).run(); }

}  // namespace crmr
