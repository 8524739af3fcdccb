// LZFu decompression per MS-OXRTFCP 2.1.3.1: a 4096-byte ring dictionary
// preloaded with a fixed RTF prefix, control bytes whose bits (LSB first) say
// literal byte (0) or a 16-bit big-endian reference (1: 12-bit offset, 4-bit
// length - 2). A reference whose offset equals the write position ends the
// stream.
#include "core/mime/lzfu.h"

#include <algorithm>
#include <array>
#include <cstdint>

namespace crmr {
namespace {

constexpr std::uint32_t kCompressed = 0x75465A4C;    // "LZFu"
constexpr std::uint32_t kUncompressed = 0x414C454D;  // "MELA"

constexpr std::string_view kPrefix =
    "{\\rtf1\\ansi\\mac\\deff0\\deftab720{\\fonttbl;}{\\f0\\fnil \\froman \\fswiss \\fmodern "
    "\\fscript \\fdecor MS Sans SerifSymbolArialTimes New RomanCourier{\\colortbl\\red0"
    "\\green0\\blue0\r\n\\par \\pard\\plain\\f0\\fs20\\b\\i\\u\\tab\\tx";

std::uint32_t le32(std::string_view s, std::size_t at) {
  return std::uint32_t(std::uint8_t(s[at])) | std::uint32_t(std::uint8_t(s[at + 1])) << 8 |
         std::uint32_t(std::uint8_t(s[at + 2])) << 16 | std::uint32_t(std::uint8_t(s[at + 3])) << 24;
}

// CRC-32 (polynomial 0xEDB88320) as MS-OXRTFCP 2.1.3.2 runs it: start 0, no final inversion.
std::uint32_t rtf_crc(std::string_view data) {
  static const auto table = [] {
    std::array<std::uint32_t, 256> t{};
    for (std::uint32_t i = 0; i < 256; ++i) {
      std::uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  std::uint32_t crc = 0;
  for (unsigned char b : data) crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8);
  return crc;
}

}  // namespace

Result<std::string> decompress_rtf(std::string_view in, std::size_t max_output, bool* crc_ok) {
  static_assert(kPrefix.size() == 207, "MS-OXRTFCP initial dictionary is 207 bytes");
  if (in.size() < 16) return fail(Code::TnefRtfShort, "compressed RTF shorter than its header");
  std::uint32_t comp_size = le32(in, 0);   // counts the bytes after this field
  std::uint32_t raw_size = le32(in, 4);
  std::uint32_t type = le32(in, 8);
  if (comp_size < 12 || comp_size - 12 > in.size() - 16)
    return fail(Code::TnefRtfSize, "compressed RTF declares " + std::to_string(comp_size) +
                                     " bytes but holds " + std::to_string(in.size() - 4));
  std::string_view body = in.substr(16, comp_size - 12);
  std::size_t cap = std::min<std::size_t>({raw_size, max_output, body.size() * 9 + 16});

  if (type == kUncompressed) return std::string(body.substr(0, std::min(body.size(), cap)));
  if (type != kCompressed) return fail(Code::TnefRtfType, "compressed RTF of unknown type");
  if (crc_ok != nullptr) *crc_ok = rtf_crc(body) == le32(in, 12);

  char dict[4096];
  std::copy(kPrefix.begin(), kPrefix.end(), dict);
  std::fill(dict + kPrefix.size(), dict + sizeof dict, '\0');
  std::size_t write = kPrefix.size();
  std::string out;
  out.reserve(cap);
  std::size_t pos = 0;
  while (pos < body.size() && out.size() < cap) {
    unsigned control = std::uint8_t(body[pos++]);
    for (int bit = 0; bit < 8 && pos < body.size() && out.size() < cap; ++bit, control >>= 1) {
      if ((control & 1) == 0) {
        char c = body[pos++];
        out.push_back(c);
        dict[write] = c;
        write = (write + 1) & 0xFFF;
        continue;
      }
      if (pos + 2 > body.size()) return out;  // reference cut short
      unsigned ref = unsigned(std::uint8_t(body[pos])) << 8 | std::uint8_t(body[pos + 1]);
      pos += 2;
      std::size_t offset = ref >> 4;
      std::size_t length = (ref & 0xF) + 2;
      if (offset == write) return out;  // end marker
      for (std::size_t k = 0; k < length && out.size() < cap; ++k) {
        char c = dict[(offset + k) & 0xFFF];
        out.push_back(c);
        dict[write] = c;
        write = (write + 1) & 0xFFF;
      }
    }
  }
  return out;
}

}  // namespace crmr
