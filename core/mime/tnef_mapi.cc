// MAPI property list reader for TNEF: property tag, optional named-property
// header (GUID + kind + LID or UTF-16 name), then the value(s). Variable-size
// values (string, binary, object) and multi-value properties carry a count and
// per-value lengths; every value is padded to 4 bytes. Each length is checked
// against the bytes left before anything is read.
#include "core/mime/tnef_mapi.h"
#include "core/base/utf8.h"

#include "core/mime/charset.h"

namespace crmr {
namespace {

class Cursor {
 public:
  explicit Cursor(std::string_view d) : d_(d) {}
  std::size_t left() const { return d_.size() - pos_; }
  bool u16(std::uint16_t& v) {
    if (left() < 2) return false;
    v = std::uint16_t(std::uint8_t(d_[pos_]) | std::uint8_t(d_[pos_ + 1]) << 8);
    pos_ += 2;
    return true;
  }
  bool u32(std::uint32_t& v) {
    if (left() < 4) return false;
    v = 0;
    for (int i = 3; i >= 0; --i) v = v << 8 | std::uint8_t(d_[pos_ + i]);
    pos_ += 4;
    return true;
  }
  // `n` bytes, then skip padding to a multiple of 4 (padding may be missing at the very end).
  bool bytes(std::size_t n, std::string_view& out) {
    if (left() < n) return false;
    out = d_.substr(pos_, n);
    pos_ += n;
    std::size_t pad = (4 - n % 4) % 4;
    pos_ += std::min(pad, left());
    return true;
  }

 private:
  std::string_view d_;
  std::size_t pos_ = 0;
};

// Size of one fixed-size value as stored (before padding); 0 if variable or unknown.
std::size_t fixed_size(std::uint16_t type) {
  switch (type) {
    case 0x0001:  // PT_NULL
    case 0x0002:  // PT_I2
    case 0x0003:  // PT_LONG
    case 0x0004:  // PT_R4
    case 0x000A:  // PT_ERROR
    case 0x000B:  // PT_BOOLEAN
      return 4;
    case 0x0005:  // PT_DOUBLE
    case 0x0006:  // PT_CURRENCY
    case 0x0007:  // PT_APPTIME
    case 0x0014:  // PT_I8
    case 0x0040:  // PT_SYSTIME
      return 8;
    case 0x0048:  // PT_CLSID
      return 16;
    default:
      return 0;
  }
}

bool variable_size(std::uint16_t type) {
  return type == kPtString8 || type == kPtUnicode || type == kPtBinary || type == kPtObject;
}

// Reads one property into `p`; false when the data is malformed or cut short.
bool read_prop(Cursor& c, MapiProp& p) {
  std::uint16_t type = 0, id = 0;
  if (!c.u16(type) || !c.u16(id)) return false;
  bool multi = (type & 0x1000) != 0;
  p.type = type & 0x0FFF;
  p.id = id;
  p.named = id >= 0x8000;
  if (p.named) {
    std::string_view guid;
    std::uint32_t kind = 0, value = 0;
    if (!c.bytes(16, guid) || !c.u32(kind) || !c.u32(value)) return false;
    if (kind == 1) {  // a UTF-16 name of `value` bytes
      std::string_view name;
      if (!c.bytes(value, name)) return false;
    } else if (kind != 0) {
      return false;
    }
  }
  bool variable = variable_size(p.type);
  std::size_t fixed = fixed_size(p.type);
  if (!variable && fixed == 0) return false;  // unknown type: its size cannot be known
  std::uint32_t count = 1;
  if (multi || variable) {
    if (!c.u32(count)) return false;
    if (count > c.left() / 4) return false;  // every value takes at least 4 bytes
  }
  for (std::uint32_t i = 0; i < count; ++i) {
    std::string_view v;
    if (variable) {
      std::uint32_t len = 0;
      if (!c.u32(len) || !c.bytes(len, v)) return false;
    } else if (!c.bytes(fixed, v)) {
      return false;
    }
    if (p.values.size() < kMaxMapiValues) p.values.push_back(v);
  }
  return true;
}


}  // namespace

std::vector<MapiProp> parse_mapi_props(std::string_view data, std::vector<std::string>& warnings,
                                       std::size_t max_props) {
  std::vector<MapiProp> props;
  Cursor c(data);
  std::uint32_t count = 0;
  if (!c.u32(count)) {
    warnings.push_back("TNEF: MAPI property list without a count");
    return props;
  }
  for (std::uint32_t i = 0; i < count; ++i) {
    if (props.size() >= max_props) {
      warnings.push_back("TNEF: more than " + std::to_string(max_props) +
                         " MAPI properties: the rest skipped");
      break;
    }
    MapiProp p;
    if (!read_prop(c, p)) {
      warnings.push_back("TNEF: malformed MAPI property list: read " + std::to_string(i) +
                         " of " + std::to_string(count) + " properties");
      break;
    }
    props.push_back(std::move(p));
  }
  return props;
}

const MapiProp* find_prop(const std::vector<MapiProp>& props, std::uint16_t id) {
  for (const MapiProp& p : props)
    if (!p.named && p.id == id && !p.values.empty()) return &p;
  return nullptr;
}

std::string prop_string(const MapiProp* p, std::string_view charset) {
  if (p == nullptr || p->values.empty()) return {};
  std::string_view v = p->values.front();
  std::string s;
  if (p->type == kPtUnicode) {
    s = utf16le_to_utf8(v);
  } else if (p->type == kPtString8 || p->type == kPtBinary) {
    s = to_utf8(v.substr(0, v.find('\0')), charset);
  } else {
    return {};
  }
  if (auto nul = s.find('\0'); nul != std::string::npos) s.resize(nul);
  return s;
}

std::optional<std::uint32_t> prop_int(const MapiProp* p) {
  if (p == nullptr || p->values.empty() || p->values.front().size() < 2) return std::nullopt;
  std::string_view v = p->values.front();
  if (p->type == kPtI2 || p->type == kPtBoolean)
    return std::uint32_t(std::uint8_t(v[0]) | std::uint8_t(v[1]) << 8);
  if (p->type == kPtLong && v.size() >= 4) {
    std::uint32_t x = 0;
    for (int i = 3; i >= 0; --i) x = x << 8 | std::uint8_t(v[i]);
    return x;
  }
  return std::nullopt;
}

std::string utf16le_to_utf8(std::string_view b) {
  std::string out;
  out.reserve(b.size() / 2);
  for (std::size_t i = 0; i + 1 < b.size(); i += 2) {
    char32_t u = std::uint8_t(b[i]) | std::uint8_t(b[i + 1]) << 8;
    if (u >= 0xD800 && u <= 0xDBFF && i + 3 < b.size()) {
      char32_t lo = std::uint8_t(b[i + 2]) | std::uint8_t(b[i + 3]) << 8;
      if (lo >= 0xDC00 && lo <= 0xDFFF) {
        append_utf8(out, 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00));
        i += 2;
        continue;
      }
    }
    if (u >= 0xD800 && u <= 0xDFFF) u = 0xFFFD;
    append_utf8(out, u);
  }
  return out;
}

std::string codepage_charset(std::uint32_t cp) {
  switch (cp) {
    case 0: return "windows-1252";
    case 65001: return "utf-8";
    case 20127: return "us-ascii";
    case 20866: return "koi8-r";
    case 21866: return "koi8-u";
    case 932: return "shift_jis";
    case 936: return "gbk";
    case 949: return "cp949";
    case 950: return "big5";
    case 50220: case 50221: case 50222: return "iso-2022-jp";
    case 51932: return "euc-jp";
    case 54936: return "gb18030";
    case 10000: return "macintosh";
    default: break;
  }
  if (cp >= 28591 && cp <= 28606) return "iso-8859-" + std::to_string(cp - 28590);
  if ((cp >= 1250 && cp <= 1258) || cp == 874 || (cp >= 437 && cp <= 866))
    return "cp" + std::to_string(cp);
  return "windows-1252";
}

}  // namespace crmr
