// ImapNamespace; see imap_namespace.h.
#include "core/mailbox/imap_namespace.h"

#include <cctype>

namespace crmr {
namespace {

bool iequals_prefix(const std::string& s, const std::string& prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i)
    if (std::toupper(static_cast<unsigned char>(s[i])) != std::toupper(static_cast<unsigned char>(prefix[i])))
      return false;
  return true;
}

// The (prefix, separator) pairs of one namespace list; NIL gives none.
std::vector<std::pair<std::string, std::string>> entries(const ImapValue& v) {
  std::vector<std::pair<std::string, std::string>> out;
  if (v.type != ImapValue::Type::List) return out;
  for (const ImapValue& e : v.items) {
    if (e.type != ImapValue::Type::List || e.items.empty()) continue;
    std::string sep = e.items.size() > 1 && !e.items[1].is_atom("NIL") ? e.items[1].text : "";
    out.emplace_back(e.items[0].text, sep);
  }
  return out;
}

}  // namespace

void ImapNamespace::read_namespace(const ImapResponse& r) {
  if (r.keyword != "NAMESPACE" || r.values.empty()) return;
  known = true;
  auto personal = entries(r.values[0]);
  if (!personal.empty()) {
    personal_prefix = personal[0].first;
    separator = personal[0].second;
  }
  others.clear();
  for (std::size_t i = 1; i < r.values.size(); ++i)
    for (auto& [prefix, sep] : entries(r.values[i]))
      if (!prefix.empty()) others.push_back(prefix);
}

void ImapNamespace::read_list(const ImapResponse& r) {
  if (r.keyword != "LIST" || r.values.size() < 2) return;
  known = true;
  separator = r.values[1].is_atom("NIL") ? "" : r.values[1].text;
}

std::string ImapNamespace::resolve(const std::string& folder) const {
  if (iequals_prefix(folder, "INBOX") && folder.size() == 5) return "INBOX";
  std::string name = folder;
  if (separator.size() == 1 && separator != "/")
    for (char& c : name)
      if (c == '/') c = separator[0];
  if (personal_prefix.empty()) return name;
  // "INBOX." compares INBOX case-insensitively (RFC 3501 5.1), the rest exactly.
  bool inbox_prefix = iequals_prefix(personal_prefix, "INBOX");
  if (inbox_prefix ? iequals_prefix(name, personal_prefix) : name.starts_with(personal_prefix)) {
    if (inbox_prefix) name.replace(0, 5, "INBOX");
    return name;
  }
  for (const auto& p : others)
    if (name.starts_with(p)) return name;
  return personal_prefix + name;
}

std::string ImapNamespace::describe() const {
  if (!known) return "not announced (folder names are used as written)";
  return "personal prefix \"" + personal_prefix + "\", separator \"" + separator + "\"";
}

}  // namespace crmr
