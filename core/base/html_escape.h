// HTML escaping of text for element content and attribute values: & < > " '
// become entities, every other byte is copied. Shared by the HTML report and
// the e-mail bodies sent to the CRM.
#pragma once

#include <string>
#include <string_view>

namespace crmr {

inline std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace crmr
