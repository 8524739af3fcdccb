#include "core/mime/iso2022jp.h"

namespace crmr {

std::optional<std::string> iso2022jp_to_cp932(std::string_view in) {
  enum class Mode { Ascii, Kanji, Katakana };
  Mode mode = Mode::Ascii;
  bool shifted_out = false;  // SO: katakana until SI
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    auto c = static_cast<unsigned char>(in[i]);
    if (c >= 0x80) return std::nullopt;
    if (c == 0x1B) {
      std::string_view esc = in.substr(i + 1, 2);
      if (esc == "(B" || esc == "(J" || esc == "(H") mode = Mode::Ascii;
      else if (esc == "$B" || esc == "$@") mode = Mode::Kanji;
      else if (esc == "(I") mode = Mode::Katakana;
      else if (in.substr(i + 1, 3) == "&@\x1B") { i += 2; continue; }  // JIS X 0208-1990 prefix
      else return std::nullopt;
      i += 2;
      continue;
    }
    if (c == 0x0E) { shifted_out = true; continue; }
    if (c == 0x0F) { shifted_out = false; continue; }
    if (c == '\r' || c == '\n') {  // line ends reset to ASCII in practice
      out.push_back(char(c));
      continue;
    }
    if ((mode == Mode::Katakana || shifted_out) && c >= 0x21 && c <= 0x5F) {
      out.push_back(char(c + 0x80));
      continue;
    }
    if (mode == Mode::Kanji && c >= 0x21 && c <= 0x7E) {
      if (i + 1 >= in.size()) return std::nullopt;
      auto c2 = static_cast<unsigned char>(in[i + 1]);
      if (c2 < 0x21 || c2 > 0x7E) return std::nullopt;
      ++i;
      unsigned s1 = ((c - 0x21) >> 1) + 0x81;
      if (s1 > 0x9F) s1 += 0x40;
      unsigned s2;
      if (c & 1) {
        s2 = c2 + 0x1F;
        if (s2 >= 0x7F) ++s2;
      } else {
        s2 = c2 + 0x7E;
      }
      out.push_back(char(s1));
      out.push_back(char(s2));
      continue;
    }
    out.push_back(char(c));
  }
  return out;
}

}  // namespace crmr
