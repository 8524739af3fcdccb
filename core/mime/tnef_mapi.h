// MAPI property lists as TNEF carries them (MS-OXTNEF 2.1.3.4): the payload
// of attMsgProps and attAttachment. Internal to crmr_core_mime (used by
// tnef.cc); values are views into the caller's bytes, which must outlive them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace crmr {

// MAPI property types used here (the low 12 bits of the type; 0x1000 = multi-value).
enum : std::uint16_t {
  kPtI2 = 0x0002, kPtLong = 0x0003, kPtBoolean = 0x000B, kPtObject = 0x000D,
  kPtString8 = 0x001E, kPtUnicode = 0x001F, kPtBinary = 0x0102,
};

struct MapiProp {
  std::uint16_t id = 0;
  std::uint16_t type = 0;  // without the multi-value flag
  bool named = false;      // a named property (id >= 0x8000): ids are not comparable
  std::vector<std::string_view> values;  // raw bytes of each value, at most kMaxValues kept
};

inline constexpr std::size_t kMaxMapiValues = 64;

// Parse a property list. Malformed data (a length past the end, an unknown
// fixed-size type) ends the list: the properties read so far are returned and
// one warning is appended. Never reads outside `data`; the loop consumes at
// least 4 bytes per value, so time is linear in the input.
std::vector<MapiProp> parse_mapi_props(std::string_view data, std::vector<std::string>& warnings,
                                       std::size_t max_props = 4096);

// The first unnamed property with this id, or nullptr.
const MapiProp* find_prop(const std::vector<MapiProp>& props, std::uint16_t id);

// A string property as UTF-8: PT_UNICODE from UTF-16LE, PT_STRING8 (and
// PT_BINARY) from `charset`; cut at the first NUL. Empty if absent.
std::string prop_string(const MapiProp* p, std::string_view charset);

// An integer property (PT_I2, PT_LONG, PT_BOOLEAN), if present and readable.
std::optional<std::uint32_t> prop_int(const MapiProp* p);

// UTF-16LE bytes to UTF-8 (lone surrogates become U+FFFD; an odd last byte is dropped).
std::string utf16le_to_utf8(std::string_view bytes);

// The iconv/charset label for a Windows code page number ("cp1251",
// "koi8-r", "utf-8", ...); "windows-1252" for 0 and unknown numbers.
std::string codepage_charset(std::uint32_t codepage);

}  // namespace crmr
