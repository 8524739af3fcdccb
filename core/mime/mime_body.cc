#include "core/mime/mime_body.h"

#include <mimetic/codec/base64.h>
#include <mimetic/codec/code.h>
#include <mimetic/codec/qp.h>

#include <exception>
#include <iterator>

#include "core/mime/mime_header.h"

namespace crmr {

MultipartSplit split_multipart(std::string_view body, std::string_view boundary,
                               std::size_t max_parts) {
  MultipartSplit out;
  std::string delim = "--" + std::string(boundary);
  std::size_t part_begin = std::string_view::npos;  // start of the current part's bytes
  std::size_t search = 0;
  while (search <= body.size()) {
    std::size_t at = body.find(delim, search);
    if (at == std::string_view::npos) break;
    search = at + 1;
    if (at != 0 && body[at - 1] != '\n') continue;
    std::size_t after = at + delim.size();
    bool closing = body.substr(after, 2) == "--";
    std::size_t eol = body.find('\n', after);
    std::size_t line_end = eol == std::string_view::npos ? body.size() : eol;
    if (!closing) {
      std::string_view rest = body.substr(after, line_end - after);
      if (!trim(rest).empty()) continue;  // "--boundaryXYZ": a longer boundary
    }
    out.found = true;
    if (part_begin != std::string_view::npos) {
      // The line break before the delimiter belongs to the delimiter.
      std::size_t end = at;
      if (end > part_begin && body[end - 1] == '\n') --end;
      if (end > part_begin && body[end - 1] == '\r') --end;
      out.parts.push_back(body.substr(part_begin, end - part_begin));
      if (out.parts.size() >= max_parts) return out;
    }
    if (closing) {
      out.closed = true;
      return out;
    }
    part_begin = eol == std::string_view::npos ? body.size() : eol + 1;
    search = part_begin;
  }
  if (part_begin != std::string_view::npos && part_begin < body.size())
    out.parts.push_back(body.substr(part_begin));
  return out;
}

std::string decode_transfer(std::string_view body, std::string_view encoding,
                            std::vector<std::string>& warnings) {
  std::string enc = ascii_lower(trim(encoding));
  bool base64 = enc == "base64";
  bool qp = enc == "quoted-printable";
  if (!base64 && !qp) return std::string(body);
  std::string out;
  out.reserve(base64 ? body.size() / 4 * 3 + 3 : body.size());
  // The one place mimetic exceptions are caught.
  // mimetic 0.9.8 checks `c > sDecTableSz` (124) instead of `>=`, so '|' is
  // read past its table as the digit 'A'; such bytes are dropped first.
  std::string filtered;
  if (base64 && body.find('|') != std::string_view::npos) {
    filtered.reserve(body.size());
    for (char c : body)
      if (c != '|') filtered.push_back(c);
    body = filtered;
  }
  try {
    if (base64) {
      mimetic::Base64::Decoder dec;
      mimetic::decode(body.begin(), body.end(), dec, std::back_inserter(out));
    } else {
      mimetic::QP::Decoder dec;
      mimetic::decode(body.begin(), body.end(), dec, std::back_inserter(out));
    }
  } catch (const std::exception& e) {
    warnings.push_back(std::string("could not decode ") + enc + " body: " + e.what());
    return std::string(body);
  }
  return out;
}

std::string normalize_text(std::string_view text, bool* had_nul) {
  std::string out;
  out.reserve(text.size());
  bool nul = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\r') {
      out.push_back('\n');
      if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
    } else if (c == '\0') {
      nul = true;
    } else {
      out.push_back(c);
    }
  }
  if (had_nul) *had_nul = nul;
  return out;
}

}  // namespace crmr
