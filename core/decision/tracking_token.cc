// Tracking-token search in decoded subjects (crm-router(1) ROUTING, correlation).
//
// A token is one of the organisation's prefixes (the whole history, compared
// ASCII case-insensitively), an optional single space, then a run of digits
// that is not followed by another digit. The run's length must fit a layout:
//   current: 1 designator digit + token_id_digits (user number = base + index)
//            + digits of max_tracking_number (the counter), e.g. 7 for defaults
//            ("CRM:0001001");
//   older:   the same plus one digit (CRM 4.0-era tokens such as "CRM: 00010001",
//            written with a four-digit counter).
// The first digit is not required to be "0". The prefix must not be glued to a
// preceding letter or digit ("ACRM:0001001" is another organisation's token).
// The search covers the whole subject, so "RE:"/"FW:" prefixes do not matter;
// when several tokens are present the last one wins (Dynamics appends its token).
#include "core/decision/tracking_token.h"

#include <vector>

#include "core/base/normalize.h"
#include "core/base/ascii.h"

namespace crmr {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool is_ascii_alnum(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool iequal_at(std::string_view s, std::size_t pos, std::string_view p) {
  if (pos + p.size() > s.size()) return false;
  for (std::size_t i = 0; i < p.size(); ++i)
    if (ascii_lower(s[pos + i]) != ascii_lower(p[i])) return false;
  return true;
}

// The prefix history; an entry may itself be a ';'-separated list as Dataverse
// stores it. Empty entries are dropped.
std::vector<std::string> prefixes_of(const OrgSettings& org) {
  std::vector<std::string> out;
  for (const auto& entry : org.tracking_prefixes) {
    std::string_view rest = entry;
    while (true) {
      auto semi = rest.find(';');
      auto part = trim(rest.substr(0, semi));
      if (!part.empty()) out.emplace_back(part);
      if (semi == std::string_view::npos) break;
      rest.remove_prefix(semi + 1);
    }
  }
  return out;
}

int decimal_digits(int n) {
  if (n <= 0) return 3;
  int d = 0;
  for (; n > 0; n /= 10) ++d;
  return d;
}

std::size_t current_layout_length(const OrgSettings& org) {
  int id_digits = org.token_id_digits > 0 ? org.token_id_digits : 3;
  return static_cast<std::size_t>(1 + id_digits + decimal_digits(org.max_tracking_number));
}

}  // namespace

std::string TrackingToken::normalized() const { return normalize_token(prefix + digits); }

std::optional<TrackingToken> find_tracking_token(std::string_view subject,
                                                 const OrgSettings& org) {
  const auto prefixes = prefixes_of(org);
  const std::size_t current = current_layout_length(org);
  const std::size_t older = current + 1;

  // Scan from the end so that the last token in the subject wins.
  for (std::size_t pos = subject.size(); pos-- > 0;) {
    for (const auto& prefix : prefixes) {
      if (!iequal_at(subject, pos, prefix)) continue;
      if (pos > 0 && is_ascii_alnum(prefix.front()) && is_ascii_alnum(subject[pos - 1]))
        continue;
      std::size_t start = pos + prefix.size();
      if (start < subject.size() && subject[start] == ' ') ++start;
      std::size_t end = start;
      while (end < subject.size() && is_digit(subject[end])) ++end;
      const std::size_t length = end - start;
      if (length != current && length != older) continue;
      return TrackingToken{prefix, std::string(subject.substr(start, length))};
    }
  }
  return std::nullopt;
}

}  // namespace crmr
