// The TNEF stream decoder: signature and key, then attributes of
// (level u8, id u32, length u32, data, checksum u16). Level 1 is the message,
// level 2 the current attachment (each begins with attAttachRendData). MAPI
// property blocks are read by tnef_mapi.cc, compressed RTF by lzfu.cc.
#include "core/mime/tnef.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>

#include "core/mime/charset.h"
#include "core/mime/lzfu.h"
#include "core/mime/mime_header.h"
#include "core/mime/rtf_text.h"
#include "core/mime/tnef_mapi.h"

namespace crmr {
namespace {

constexpr std::uint32_t kSignature = 0x223E9F78;

// Attribute ids (the low 16 bits; the high 16 are the attribute's type).
enum : std::uint16_t {
  attBody = 0x800C, attAttachData = 0x800F, attAttachTitle = 0x8010,
  attAttachRendData = 0x9002, attMsgProps = 0x9003, attAttachment = 0x9005,
  attOemCodepage = 0x9007,
};

// MAPI property ids.
enum : std::uint16_t {
  PR_BODY = 0x1000, PR_RTF_COMPRESSED = 0x1009, PR_HTML = 0x1013, PR_DISPLAY_NAME = 0x3001,
  PR_ATTACH_DATA = 0x3701, PR_ATTACH_FILENAME = 0x3704, PR_ATTACH_METHOD = 0x3705,
  PR_ATTACH_LONG_FILENAME = 0x3707, PR_ATTACH_MIME_TAG = 0x370E, PR_ATTACH_CONTENT_ID = 0x3712,
  PR_INTERNET_CPID = 0x3FDE, PR_MESSAGE_CODEPAGE = 0x3FFD, PR_ATTACHMENT_HIDDEN = 0x7FFE,
};

constexpr std::uint32_t kAttachEmbeddedMsg = 5;

// Only the properties read later are kept, so memory stays small whatever a
// block holds.
std::vector<MapiProp> wanted(std::vector<MapiProp> props) {
  static constexpr std::uint16_t kWanted[] = {
      PR_BODY, PR_RTF_COMPRESSED, PR_HTML, PR_DISPLAY_NAME, PR_ATTACH_DATA, PR_ATTACH_FILENAME,
      PR_ATTACH_METHOD, PR_ATTACH_LONG_FILENAME, PR_ATTACH_MIME_TAG, PR_ATTACH_CONTENT_ID,
      PR_INTERNET_CPID, PR_MESSAGE_CODEPAGE, PR_ATTACHMENT_HIDDEN};
  std::erase_if(props, [](const MapiProp& p) {
    return p.named || std::find(std::begin(kWanted), std::end(kWanted), p.id) == std::end(kWanted);
  });
  return props;
}

std::uint32_t le(std::string_view s, std::size_t at, int n) {
  std::uint32_t v = 0;
  for (int i = n - 1; i >= 0; --i) v = v << 8 | std::uint8_t(s[at + i]);
  return v;
}

// One attachment as the attributes describe it, before naming and decoding.
struct RawAttachment {
  std::string_view title;  // attAttachTitle (8.3 name, code page bytes)
  std::string_view data;   // attAttachData
  bool has_data = false;
  std::vector<MapiProp> props;
};

// A content type for a file without PR_ATTACH_MIME_TAG, from its extension.
std::string guess_type(std::string_view name) {
  static constexpr std::pair<std::string_view, std::string_view> kTypes[] = {
      {"pdf", "application/pdf"},      {"doc", "application/msword"},
      {"xls", "application/vnd.ms-excel"}, {"ppt", "application/vnd.ms-powerpoint"},
      {"docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
      {"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
      {"pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"},
      {"rtf", "application/rtf"},      {"zip", "application/zip"},
      {"txt", "text/plain"},           {"htm", "text/html"},
      {"html", "text/html"},           {"csv", "text/csv"},
      {"xml", "application/xml"},      {"png", "image/png"},
      {"jpg", "image/jpeg"},           {"jpeg", "image/jpeg"},
      {"gif", "image/gif"},            {"bmp", "image/bmp"},
      {"tif", "image/tiff"},           {"tiff", "image/tiff"},
      {"mp3", "audio/mpeg"},           {"wav", "audio/wav"},
      {"eml", "message/rfc822"},       {"msg", "application/vnd.ms-outlook"},
      {"ics", "text/calendar"},        {"vcf", "text/vcard"}};
  auto dot = name.rfind('.');
  if (dot != std::string_view::npos) {
    std::string ext = ascii_lower(name.substr(dot + 1));
    for (auto [e, type] : kTypes)
      if (ext == e) return std::string(type);
  }
  return "application/octet-stream";
}

std::string clean_filename(std::string name) {
  if (auto slash = name.find_last_of("/\\"); slash != std::string::npos && slash + 1 < name.size())
    name.erase(0, slash + 1);
  for (char& c : name)
    if (c == '/' || c == '\\' || static_cast<unsigned char>(c) < 32) c = '_';
  while (!name.empty() && (name.back() == ' ' || name.back() == '.')) name.pop_back();
  if (name.size() > 200) name.resize(200);
  return name;
}

std::string trim_nul(std::string s) {
  while (!s.empty() && s.back() == '\0') s.pop_back();
  return s;
}

class Decoder {
 public:
  Decoder(const TnefLimits& limits, std::size_t depth, std::size_t& file_count,
          TnefContent& out)
      : limits_(limits), depth_(depth), files_(file_count), out_(out) {}

  Status run(std::string_view data);

 private:
  void read_attributes(std::string_view data);
  void finish_message();
  void finish_attachment(const RawAttachment& raw);
  void add_file(Attachment a);

  const TnefLimits& limits_;
  std::size_t depth_;
  std::size_t& files_;  // shared with nested decoders: the cap is per outer stream
  TnefContent& out_;
  std::vector<MapiProp> msg_props_;
  std::string_view att_body_;
  std::uint32_t oem_codepage_ = 0;
  std::vector<RawAttachment> raws_;
  std::string charset_ = "windows-1252";
  bool files_warned_ = false;
};

Status Decoder::run(std::string_view data) {
  if (!looks_like_tnef(data)) return fail(Code::TnefNotTnef, "no TNEF signature");
  read_attributes(data.substr(6));
  finish_message();
  for (const RawAttachment& raw : raws_) finish_attachment(raw);
  return {};
}

void Decoder::read_attributes(std::string_view d) {
  std::size_t pos = 0;
  bool checksum_warned = false;
  while (pos < d.size()) {
    std::uint8_t level = std::uint8_t(d[pos]);
    if (level != 1 && level != 2) {
      out_.warnings.push_back("TNEF: no attribute at byte " + std::to_string(pos + 6) + ": the last " +
                              std::to_string(d.size() - pos) + " bytes ignored");
      return;
    }
    if (d.size() - pos < 9) {
      out_.warnings.push_back("TNEF: stream cut short in an attribute header");
      return;
    }
    std::uint32_t attr = le(d, pos + 1, 4);
    std::uint32_t len = le(d, pos + 5, 4);
    pos += 9;
    if (len > d.size() - pos) {
      char hex[16];
      std::snprintf(hex, sizeof hex, "0x%08X", attr);
      out_.warnings.push_back("TNEF: attribute " + std::string(hex) + " declares " +
                              std::to_string(len) + " bytes, " + std::to_string(d.size() - pos) +
                              " left: the rest of the stream ignored");
      return;
    }
    std::string_view value = d.substr(pos, len);
    pos += len;
    if (d.size() - pos >= 2) {
      std::uint32_t sum = 0;
      for (unsigned char c : value) sum += c;
      if ((sum & 0xFFFF) != le(d, pos, 2) && !checksum_warned) {
        out_.warnings.push_back("TNEF: attribute checksum mismatch (data kept)");
        checksum_warned = true;
      }
      pos += 2;
    } else {
      pos = d.size();
    }
    std::uint16_t id = attr & 0xFFFF;
    if (level == 1) {
      if (id == attMsgProps) {
        auto props = wanted(parse_mapi_props(value, out_.warnings));
        if (msg_props_.size() + props.size() <= 256)
          std::move(props.begin(), props.end(), std::back_inserter(msg_props_));
      } else if (id == attBody) {
        att_body_ = value;
      } else if (id == attOemCodepage && value.size() >= 4) {
        oem_codepage_ = le(value, 0, 4);
      }
      continue;
    }
    if (id == attAttachRendData || raws_.empty()) {
      if (raws_.size() >= limits_.max_attachments) {
        if (!files_warned_)
          out_.warnings.push_back("TNEF: more than " + std::to_string(limits_.max_attachments) +
                                  " attachments: the rest skipped");
        files_warned_ = true;
        return;
      }
      raws_.emplace_back();
    }
    RawAttachment& raw = raws_.back();
    if (id == attAttachTitle) raw.title = value;
    else if (id == attAttachData) raw.data = value, raw.has_data = true;
    else if (id == attAttachment) raw.props = wanted(parse_mapi_props(value, out_.warnings));
  }
}

void Decoder::finish_message() {
  auto cp = prop_int(find_prop(msg_props_, PR_MESSAGE_CODEPAGE));
  charset_ = codepage_charset(cp.value_or(oem_codepage_));
  if (depth_ > 0) return;  // an embedded message contributes only its files
  std::string html_charset =
      codepage_charset(prop_int(find_prop(msg_props_, PR_INTERNET_CPID)).value_or(cp.value_or(oem_codepage_)));
  out_.html_body = trim_nul(prop_string(find_prop(msg_props_, PR_HTML), html_charset));
  out_.text_body = trim_nul(prop_string(find_prop(msg_props_, PR_BODY), charset_));
  if (out_.text_body.empty() && !att_body_.empty())
    out_.text_body = trim_nul(to_utf8(att_body_, charset_));
  if (const MapiProp* rtf = find_prop(msg_props_, PR_RTF_COMPRESSED); rtf && rtf->type == kPtBinary) {
    bool crc_ok = true;
    auto raw = decompress_rtf(rtf->values.front(), limits_.max_rtf_bytes, &crc_ok);
    if (!crc_ok) out_.warnings.push_back("TNEF: RTF body CRC mismatch (decoded anyway)");
    if (raw) {
      out_.rtf = std::move(*raw);
      out_.rtf_from_html = rtf_origin(out_.rtf) == RtfOrigin::Html;
      if (out_.rtf_from_html && out_.html_body.empty()) out_.html_body = rtf_to_html(out_.rtf);
    } else {
      out_.warnings.push_back("TNEF: RTF body unreadable: " + raw.error().message);
    }
  }
}

void Decoder::add_file(Attachment a) {
  if (files_ >= limits_.max_attachments) {
    if (!files_warned_)
      out_.warnings.push_back("TNEF: more than " + std::to_string(limits_.max_attachments) +
                              " attachments: the rest skipped");
    files_warned_ = true;
    return;
  }
  ++files_;
  out_.attachments.push_back(std::move(a));
}

void Decoder::finish_attachment(const RawAttachment& raw) {
  const auto& p = raw.props;
  std::string name = prop_string(find_prop(p, PR_ATTACH_LONG_FILENAME), charset_);
  if (name.empty()) name = prop_string(find_prop(p, PR_ATTACH_FILENAME), charset_);
  if (name.empty() && !raw.title.empty())
    name = to_utf8(raw.title.substr(0, raw.title.find('\0')), charset_);
  if (name.empty()) name = prop_string(find_prop(p, PR_DISPLAY_NAME), charset_);
  name = clean_filename(trim_nul(std::move(name)));

  std::string_view data = raw.data;
  bool has_data = raw.has_data;
  const MapiProp* obj = find_prop(p, PR_ATTACH_DATA);
  if (obj && obj->type == kPtObject) {
    // An object value starts with the 16-byte IID of its interface.
    std::string_view inner = obj->values.front().substr(std::min<std::size_t>(16, obj->values.front().size()));
    bool embedded = prop_int(find_prop(p, PR_ATTACH_METHOD)) == kAttachEmbeddedMsg || looks_like_tnef(inner);
    if (embedded && looks_like_tnef(inner)) {
      if (depth_ + 1 > limits_.max_depth) {
        out_.warnings.push_back("TNEF: embedded messages nested deeper than " +
                                std::to_string(limits_.max_depth) + ": skipped");
        return;
      }
      TnefContent nested;
      Decoder d(limits_, depth_ + 1, files_, nested);
      if (d.run(inner)) {
        for (auto& w : nested.warnings) out_.warnings.push_back(std::move(w));
        for (auto& a : nested.attachments) out_.attachments.push_back(std::move(a));
        return;
      }
    }
    data = inner;
    has_data = true;
  } else if (!has_data && obj) {
    data = obj->values.front();
    has_data = true;
  }
  if (!has_data && name.empty()) return;  // a reference or an empty slot: nothing to keep

  Attachment a;
  a.filename = std::move(name);
  a.content_type = ascii_lower(trim_nul(prop_string(find_prop(p, PR_ATTACH_MIME_TAG), charset_)));
  if (a.content_type.find('/') == std::string::npos) a.content_type = guess_type(a.filename);
  a.content_id = trim_nul(prop_string(find_prop(p, PR_ATTACH_CONTENT_ID), charset_));
  if (a.content_id.size() >= 2 && a.content_id.front() == '<' && a.content_id.back() == '>')
    a.content_id = a.content_id.substr(1, a.content_id.size() - 2);
  a.is_inline = prop_int(find_prop(p, PR_ATTACHMENT_HIDDEN)).value_or(0) != 0 || !a.content_id.empty();
  a.data = std::string(data);
  a.size = a.data.size();
  add_file(std::move(a));
}

}  // namespace

bool looks_like_tnef(std::string_view data) {
  return data.size() >= 6 && le(data, 0, 4) == kSignature;
}

Result<TnefContent> decode_tnef(std::string_view data, const TnefLimits& limits) {
  TnefContent out;
  std::size_t files = 0;
  Decoder d(limits, 0, files, out);
  if (auto st = d.run(data); !st) return fail(st.error());
  return out;
}

}  // namespace crmr
