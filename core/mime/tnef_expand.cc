// expand_tnef: the Message side of TNEF. Finds the TNEF parts among a parsed
// message's attachments, replaces each by the files decoded from it (plus
// body.rtf for a native RTF body) and fills the message's blank bodies from
// the first TNEF part that has a body of that kind.
#include <string>
#include <utility>

#include "core/mime/mime_body.h"
#include "core/mime/mime_header.h"
#include "core/mime/rtf_text.h"
#include "core/mime/tnef.h"

namespace crmr {
namespace {

bool is_tnef_part(const Attachment& a) {
  if (!looks_like_tnef(a.data)) return false;
  if (a.content_type == "application/ms-tnef" || a.content_type == "application/vnd.ms-tnef")
    return true;
  std::string name = ascii_lower(a.filename);
  return name == "winmail.dat" || name.ends_with(".tnef") || name == "att00001.dat";
}

bool blank(std::string_view s) { return trim(s).empty(); }

// Fills the message's blank bodies from `t`: its HTML where the message has no
// HTML, its text (else, when the message ends up with no HTML either, the text
// of a native RTF body) where the message has no text.
void take_body(Message& msg, const TnefContent& t) {
  if (blank(msg.html_body) && !blank(t.html_body)) msg.html_body = normalize_text(t.html_body);
  if (!blank(msg.text_body)) return;
  if (!blank(t.text_body)) msg.text_body = normalize_text(t.text_body);
  else if (blank(msg.html_body) && !t.rtf.empty() && !t.rtf_from_html)
    msg.text_body = normalize_text(rtf_to_text(t.rtf));
}

}  // namespace

void expand_tnef(Message& msg, const TnefLimits& limits) {
  bool any = false;
  for (const Attachment& a : msg.attachments) any = any || is_tnef_part(a);
  if (!any) return;

  std::vector<Attachment> out;
  for (Attachment& a : msg.attachments) {
    if (!is_tnef_part(a)) {
      out.push_back(std::move(a));
      continue;
    }
    auto t = decode_tnef(a.data, limits);
    if (!t) {
      msg.warnings.push_back("TNEF attachment \"" + a.filename + "\" kept as is: " +
                             t.error().message);
      out.push_back(std::move(a));
      continue;
    }
    for (std::string& w : t->warnings) msg.warnings.push_back(std::move(w));
    for (Attachment& f : t->attachments) out.push_back(std::move(f));
    if (!t->rtf.empty() && !t->rtf_from_html) {
      take_body(msg, *t);
      Attachment rtf;
      rtf.filename = "body.rtf";
      rtf.content_type = "application/rtf";
      rtf.size = t->rtf.size();
      rtf.data = std::move(t->rtf);
      out.push_back(std::move(rtf));
      continue;
    }
    take_body(msg, *t);
  }
  msg.attachments = std::move(out);
}

}  // namespace crmr
