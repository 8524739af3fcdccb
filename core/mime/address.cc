// Tolerant RFC 5322 address-list and msg-id-list parsing. The raw header value
// is tokenised first (quotes, comments, angle addresses, groups) and display
// names are RFC 2047-decoded afterwards, so an encoded comma cannot split a name.
#include "core/mime/address.h"

#include <cctype>
#include <string>
#include <string_view>

#include "core/mime/charset.h"
#include "core/base/normalize.h"
#include "core/base/ascii.h"

namespace crmr {
namespace {

enum class Tok { Atom, Quoted, Comment, Angle, Comma, Colon, Semicolon };

struct Token {
  Tok kind;
  std::string text;
};

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// Reads a quoted string or comment body starting after its opening character;
// unterminated ones run to the end of the value.
std::string read_quoted(std::string_view s, std::size_t& i) {
  std::string out;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (c == '\\' && i + 1 < s.size()) {
      out.push_back(s[++i]);
    } else if (c == '"') {
      ++i;
      break;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string read_comment(std::string_view s, std::size_t& i) {
  std::string out;
  int depth = 1;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (c == '\\' && i + 1 < s.size()) {
      out.push_back(s[++i]);
      continue;
    }
    if (c == '(') ++depth;
    if (c == ')' && --depth == 0) {
      ++i;
      break;
    }
    out.push_back(c);
  }
  return out;
}

// End of an RFC 2047 encoded word starting at s[i] ("=?cs?X?text?="), or npos.
// Encoded words are kept whole so that specials inside them (',', ':') written
// by careless mailers do not split the list.
std::size_t encoded_word_end(std::string_view s, std::size_t i) {
  if (s.substr(i, 2) != "=?") return std::string_view::npos;
  int marks = 0;
  for (std::size_t k = i + 2; k < s.size(); ++k) {
    if (is_space(s[k])) return std::string_view::npos;
    if (s[k] == '?') {
      if (marks == 2) return k + 1 < s.size() && s[k + 1] == '=' ? k + 2 : std::string_view::npos;
      ++marks;
    }
  }
  return std::string_view::npos;
}

bool plain_local_name(std::string_view a) {
  for (char c : a)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '_' &&
        c != '+')
      return false;
  return !a.empty();
}

std::vector<Token> tokenize(std::string_view s) {
  std::vector<Token> toks;
  std::size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    if (is_space(c)) {
      ++i;
    } else if (c == '"') {
      ++i;
      toks.push_back({Tok::Quoted, read_quoted(s, i)});
    } else if (c == '(') {
      ++i;
      toks.push_back({Tok::Comment, read_comment(s, i)});
    } else if (c == '<') {
      std::size_t end = s.find('>', i + 1);
      if (end == std::string_view::npos) end = s.size();
      toks.push_back({Tok::Angle, std::string(s.substr(i + 1, end - i - 1))});
      i = end + 1;
    } else if (c == ',') {
      toks.push_back({Tok::Comma, {}});
      ++i;
    } else if (c == ';') {
      toks.push_back({Tok::Semicolon, {}});
      ++i;
    } else if (c == ':') {
      toks.push_back({Tok::Colon, {}});
      ++i;
    } else if (c == '>' || c == ')') {
      ++i;  // stray closer: garbage, skipped
    } else if (std::size_t end = encoded_word_end(s, i); end != std::string_view::npos) {
      toks.push_back({Tok::Atom, std::string(s.substr(i, end - i))});
      i = end;
    } else {
      std::size_t b = i;
      while (i < s.size() && !is_space(s[i]) && s[i] != '"' && s[i] != '(' && s[i] != '<' &&
             s[i] != ',' && s[i] != ';' && s[i] != ':' && s[i] != '>' && s[i] != ')')
        ++i;
      toks.push_back({Tok::Atom, std::string(s.substr(b, i - b))});
    }
  }
  return toks;
}

std::string clean_addr_spec(std::string_view a) {
  std::string out;
  for (char c : a)
    if (!is_space(c)) out.push_back(c);
  // Obsolete source route "@a,@b:user@host".
  if (!out.empty() && out[0] == '@') {
    auto colon = out.find(':');
    if (colon != std::string::npos) out.erase(0, colon + 1);
  }
  if (out.size() > 7) {
    std::string head = ascii_lower(out.substr(0, 7));
    if (head == "mailto:") out.erase(0, 7);
  }
  return out;
}

void append_word(std::string& s, std::string_view w) {
  if (w.empty()) return;
  if (!s.empty()) s.push_back(' ');
  s.append(w);
}

// One mailbox from the tokens between separators; empty address if none.
Address build_address(const std::vector<const Token*>& item) {
  Address a;
  std::string phrase, comment;
  const Token* angle = nullptr;
  for (const Token* t : item)
    if (t->kind == Tok::Angle) angle = t;
  if (angle != nullptr) {
    for (const Token* t : item) {
      if (t->kind == Tok::Atom || t->kind == Tok::Quoted) append_word(phrase, t->text);
      else if (t->kind == Tok::Comment && comment.empty()) comment = t->text;
    }
    a.address = clean_addr_spec(angle->text);
  } else {
    // addr-spec without angle brackets, possibly spread over "jane @ x.com".
    std::size_t at = item.size();
    for (std::size_t k = 0; k < item.size(); ++k)
      if (item[k]->kind == Tok::Atom && item[k]->text.find('@') != std::string::npos) {
        at = k;
        break;
      }
    std::size_t first = at, last = at;
    if (at < item.size()) {
      const std::string& t = item[at]->text;
      if (t.front() == '@' && at > 0 && item[at - 1]->kind == Tok::Atom) first = at - 1;
      if (t.back() == '@' && at + 1 < item.size() && item[at + 1]->kind == Tok::Atom) last = at + 1;
      for (std::size_t k = first; k <= last; ++k) a.address += item[k]->text;
    } else {
      std::size_t atoms = 0;
      for (const Token* t : item) atoms += t->kind == Tok::Atom;
      if (atoms == 1)
        for (const Token* t : item)
          if (t->kind == Tok::Atom && plain_local_name(t->text)) a.address = t->text;
      first = last = item.size();
    }
    for (std::size_t k = 0; k < item.size(); ++k) {
      const Token* t = item[k];
      if (at < item.size() && k >= first && k <= last) continue;
      if (at == item.size() && t->kind == Tok::Atom) continue;
      if (t->kind == Tok::Atom || t->kind == Tok::Quoted) append_word(phrase, t->text);
      else if (t->kind == Tok::Comment && comment.empty()) comment = t->text;
    }
    a.address = clean_addr_spec(a.address);
  }
  a.name = decode_header_text(phrase.empty() ? comment : phrase);
  if (a.name.size() >= 2 && (a.name.front() == '"' || a.name.front() == '\'') &&
      a.name.back() == a.name.front())
    a.name = a.name.substr(1, a.name.size() - 2);
  return a;
}

}  // namespace

std::vector<Address> parse_address_list(std::string_view raw_value) {
  std::vector<Address> out;
  std::vector<Token> toks = tokenize(raw_value);
  std::vector<const Token*> item;
  auto finish = [&] {
    if (!item.empty()) {
      Address a = build_address(item);
      if (!a.address.empty()) out.push_back(std::move(a));
    }
    item.clear();
  };
  for (const Token& t : toks) {
    switch (t.kind) {
      case Tok::Comma:
      case Tok::Semicolon:
        finish();
        break;
      case Tok::Colon: {
        // "group-name:" starts a group unless this item already holds an address.
        bool has_address = false;
        for (const Token* p : item)
          if (p->kind == Tok::Angle || (p->kind == Tok::Atom && p->text.find('@') != std::string::npos))
            has_address = true;
        if (has_address) finish();
        else item.clear();
        break;
      }
      default:
        item.push_back(&t);
    }
  }
  finish();
  return out;
}

std::vector<std::string> parse_message_id_list(std::string_view raw_value) {
  std::vector<std::string> angled, bare;
  std::string_view s = raw_value;
  auto add = [](std::vector<std::string>& v, std::string_view id) {
    std::string compact;
    for (char c : id)
      if (!is_space(c)) compact.push_back(c);
    std::string n = normalize_message_id(compact);
    if (!n.empty()) v.push_back(std::move(n));
  };
  std::size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    if (c == '(') {
      ++i;
      read_comment(s, i);
    } else if (c == '"') {
      ++i;
      read_quoted(s, i);
    } else if (c == '<') {
      std::size_t end = s.find('>', i + 1);
      if (end == std::string_view::npos) end = s.size();
      add(angled, s.substr(i + 1, end - i - 1));
      i = end + 1;
    } else if (is_space(c) || c == ',') {
      ++i;
    } else {
      std::size_t b = i;
      while (i < s.size() && !is_space(s[i]) && s[i] != ',' && s[i] != '<' && s[i] != '(' &&
             s[i] != '"')
        ++i;
      std::string_view w = s.substr(b, i - b);
      while (!w.empty() && (w.back() == '.' || w.back() == ';' || w.back() == '>')) w.remove_suffix(1);
      if (w.find('@') != std::string_view::npos) add(bare, w);
    }
  }
  return angled.empty() ? bare : angled;
}

}  // namespace crmr
