#include "sim_odata.h"

#include <algorithm>
#include <cctype>
#include <optional>

namespace crmr::sim {
namespace {

struct Token {
  enum Kind { Word, Text, LParen, RParen, Comma, LBracket, RBracket, Equals, End } kind = End;
  std::string text;
};

class Lexer {
 public:
  explicit Lexer(std::string_view s) : s_(s) {}

  SimResult<Token> next() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
    if (pos_ >= s_.size()) return Token{Token::End, {}};
    char c = s_[pos_];
    if (c == '(') return ++pos_, Token{Token::LParen, "("};
    if (c == ')') return ++pos_, Token{Token::RParen, ")"};
    if (c == ',') return ++pos_, Token{Token::Comma, ","};
    if (c == '[') return ++pos_, Token{Token::LBracket, "["};
    if (c == ']') return ++pos_, Token{Token::RBracket, "]"};
    if (c == '=') return ++pos_, Token{Token::Equals, "="};
    if (c == '"') {  // a JSON string: in a collection literal, [\"a\",\"b\"]
      std::size_t end = pos_ + 1;
      while (end < s_.size() && s_[end] != '"') end += s_[end] == '\\' ? 2 : 1;
      if (end >= s_.size()) return sim_fail(400, codes::kBadQuery, "unterminated string literal in $filter");
      json text = json::parse(s_.substr(pos_, end + 1 - pos_), nullptr, false);
      if (!text.is_string()) return sim_fail(400, codes::kBadQuery, "invalid JSON string in $filter");
      pos_ = end + 1;
      return Token{Token::Text, text.get<std::string>()};
    }
    if (c == '\'') {
      std::string out;
      ++pos_;
      while (pos_ < s_.size()) {
        if (s_[pos_] == '\'') {
          if (pos_ + 1 < s_.size() && s_[pos_ + 1] == '\'') {
            out += '\'';
            pos_ += 2;
            continue;
          }
          ++pos_;
          return Token{Token::Text, out};
        }
        out += s_[pos_++];
      }
      return sim_fail(400, codes::kBadQuery, "unterminated string literal in $filter");
    }
    std::size_t start = pos_;
    while (pos_ < s_.size() && !std::isspace(static_cast<unsigned char>(s_[pos_])) &&
           std::string_view("(),'[]=\"").find(s_[pos_]) == std::string_view::npos)
      ++pos_;
    return Token{Token::Word, std::string(s_.substr(start, pos_ - start))};
  }

 private:
  std::string_view s_;
  std::size_t pos_ = 0;
};

bool valid_field(std::string_view f) {
  return !f.empty() && std::all_of(f.begin(), f.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

bool looks_like_datetime(std::string_view w) {
  return w.size() >= 10 && std::isdigit(static_cast<unsigned char>(w[0])) && w[4] == '-' &&
         w[7] == '-';
}

// "2026-05-01T10:00:00.123+00:00" -> "2026-05-01T10:00:00Z" (stored form).
std::string normalize_datetime(std::string_view w) {
  std::string d(w.substr(0, std::min<std::size_t>(w.size(), 19)));
  if (d.size() == 10) d += "T00:00:00";
  return d + "Z";
}

class Parser {
 public:
  Parser(const EntityInfo& e, std::string_view text) : entity_(e), lex_(text) {}

  SimResult<SqlFilter> run() {
    if (auto t = advance(); !t) return std::unexpected(t.error());
    auto sql = or_expr();
    if (!sql) return std::unexpected(sql.error());
    if (cur_.kind != Token::End) return bad("unexpected '" + cur_.text + "'");
    return SqlFilter{*sql, std::move(binds_)};
  }

 private:
  std::unexpected<SimError> bad(const std::string& what) {
    return sim_fail(400, codes::kBadQuery, "Invalid $filter: " + what);
  }

  SimResult<bool> advance() {
    auto t = lex_.next();
    if (!t) return std::unexpected(t.error());
    cur_ = *t;
    return true;
  }

  bool is_word(const char* w) const { return cur_.kind == Token::Word && lower(cur_.text) == w; }

  SimResult<std::string> or_expr() {
    auto left = and_expr();
    if (!left) return left;
    std::string sql = *left;
    while (is_word("or")) {
      if (auto t = advance(); !t) return std::unexpected(t.error());
      auto right = and_expr();
      if (!right) return right;
      sql = "(" + sql + " OR " + *right + ")";
    }
    return sql;
  }

  SimResult<std::string> and_expr() {
    auto left = unary();
    if (!left) return left;
    std::string sql = *left;
    while (is_word("and")) {
      if (auto t = advance(); !t) return std::unexpected(t.error());
      auto right = unary();
      if (!right) return right;
      sql = "(" + sql + " AND " + *right + ")";
    }
    return sql;
  }

  SimResult<std::string> unary() {
    if (is_word("not")) {
      if (auto t = advance(); !t) return std::unexpected(t.error());
      auto inner = unary();
      if (!inner) return inner;
      return "(NOT " + *inner + ")";
    }
    if (cur_.kind == Token::LParen) {
      if (auto t = advance(); !t) return std::unexpected(t.error());
      auto inner = or_expr();
      if (!inner) return inner;
      if (cur_.kind != Token::RParen) return bad("missing ')'");
      if (auto t = advance(); !t) return std::unexpected(t.error());
      return inner;
    }
    if (is_word("contains") || is_word("startswith") || is_word("endswith")) return function();
    if (is_word("microsoft.dynamics.crm.in")) return in_function();
    if (cur_.kind == Token::Word && lower(cur_.text).starts_with("microsoft.dynamics.crm."))
      return bad("'" + cur_.text + "' is not a query function the simulator knows");
    return comparison();
  }

  std::string column(const std::string& field) const {
    if (field == entity_.key) return "id";
    if (field == "modifiedon") return "modifiedon";
    for (auto& c : extra_columns(entity_))
      if (c == field) return c;
    return "json_extract(data,'$." + field + "')";
  }

  SimResult<std::string> function() {
    std::string name = lower(cur_.text);
    if (auto t = advance(); !t || cur_.kind != Token::LParen) return bad(name + ": expected '('");
    if (auto t = advance(); !t || cur_.kind != Token::Word || !valid_field(cur_.text))
      return bad(name + ": expected a field");
    std::string col = column(cur_.text);
    if (auto t = advance(); !t || cur_.kind != Token::Comma) return bad(name + ": expected ','");
    if (auto t = advance(); !t || cur_.kind != Token::Text)
      return bad(name + ": expected a string");
    std::string pattern;
    for (char c : cur_.text) {
      if (c == '%' || c == '_' || c == '\\') pattern += '\\';
      pattern += c;
    }
    if (name != "startswith") pattern = "%" + pattern;
    if (name != "endswith") pattern += "%";
    binds_.push_back(pattern);
    if (auto t = advance(); !t || cur_.kind != Token::RParen) return bad(name + ": expected ')'");
    if (auto t = advance(); !t) return std::unexpected(t.error());
    return col + " LIKE ? ESCAPE '\\'";
  }

  // Microsoft.Dynamics.CRM.In(PropertyName='field',PropertyValues=['a','b'])
  // (values also as JSON strings, ["a","b"]; either parameter first).
  // Parameter aliases (@p1) are not understood: 400.
  SimResult<std::string> in_function() {
    std::string col;
    std::vector<SqlValue> values;
    bool have_name = false, have_values = false;
    if (auto t = advance(); !t || cur_.kind != Token::LParen) return bad("In: expected '('");
    for (int param = 0; param < 2; ++param) {
      if (param == 1 && cur_.kind != Token::Comma) return bad("In: expected ','");
      if (auto t = advance(); !t || cur_.kind != Token::Word) return bad("In: expected a parameter name");
      const std::string name = cur_.text;
      if (auto t = advance(); !t || cur_.kind != Token::Equals) return bad("In: expected '=' after " + name);
      if (auto t = advance(); !t) return std::unexpected(t.error());
      if (name == "PropertyName" && !have_name) {
        if (cur_.kind != Token::Text || !valid_field(cur_.text)) return bad("In: PropertyName must name a field");
        col = column(cur_.text);
        have_name = true;
      } else if (name == "PropertyValues" && !have_values) {
        if (cur_.kind != Token::LBracket) return bad("In: PropertyValues must be a collection [...]");
        for (;;) {
          if (auto t = advance(); !t || cur_.kind != Token::Text) return bad("In: expected a string value");
          values.push_back(cur_.text);
          if (auto t = advance(); !t) return std::unexpected(t.error());
          if (cur_.kind == Token::RBracket) break;
          if (cur_.kind != Token::Comma) return bad("In: expected ',' or ']'");
        }
        have_values = true;
      } else {
        return bad("In: unexpected parameter '" + name + "'");
      }
      if (auto t = advance(); !t) return std::unexpected(t.error());
    }
    if (cur_.kind != Token::RParen) return bad("In: expected ')'");
    if (auto t = advance(); !t) return std::unexpected(t.error());
    std::string sql = col + " COLLATE NOCASE IN (";
    for (std::size_t i = 0; i < values.size(); ++i) sql += i ? ",?" : "?";
    for (auto& v : values) binds_.push_back(std::move(v));
    return sql + ")";
  }

  SimResult<std::string> comparison() {
    if (cur_.kind != Token::Word || !valid_field(cur_.text))
      return bad("expected a field name, got '" + cur_.text + "'");
    std::string col = column(cur_.text);
    if (auto t = advance(); !t) return std::unexpected(t.error());
    static const std::pair<const char*, const char*> ops[] = {
        {"eq", "="}, {"ne", "<>"}, {"gt", ">"}, {"ge", ">="}, {"lt", "<"}, {"le", "<="}};
    const char* op = nullptr;
    std::string opname = lower(cur_.text);
    for (auto& [o, sql] : ops)
      if (cur_.kind == Token::Word && opname == o) op = sql;
    if (!op) return bad("expected a comparison operator, got '" + cur_.text + "'");
    if (auto t = advance(); !t) return std::unexpected(t.error());
    Token lit = cur_;
    if (auto t = advance(); !t) return std::unexpected(t.error());
    if (lit.kind == Token::Text) {
      binds_.push_back(lit.text);
      return col + " " + op + " ? COLLATE NOCASE";
    }
    if (lit.kind != Token::Word) return bad("expected a literal");
    std::string w = lower(lit.text);
    if (w == "null") {
      if (opname == "eq") return col + " IS NULL";
      if (opname == "ne") return col + " IS NOT NULL";
      return bad("null compares only with eq/ne");
    }
    if (w == "true" || w == "false") {
      binds_.emplace_back(std::in_place_type<std::int64_t>, w == "true" ? 1 : 0);
      return col + " " + op + " ?";
    }
    if (is_guid(w)) {
      binds_.push_back(w);
      return col + " " + op + " ? COLLATE NOCASE";
    }
    if (looks_like_datetime(w)) {
      binds_.push_back(normalize_datetime(lit.text));
      return col + " " + op + " ?";
    }
    try {
      std::size_t used = 0;
      if (w.find_first_of(".e") == std::string::npos) {
        std::int64_t n = std::stoll(w, &used);
        if (used == w.size()) {
          binds_.push_back(n);
          return col + " " + op + " ?";
        }
      }
      double d = std::stod(w, &used);
      if (used == w.size()) {
        binds_.push_back(d);
        return col + " " + op + " ?";
      }
    } catch (const std::exception&) {
    }
    return bad("unsupported literal '" + lit.text + "'");
  }

  const EntityInfo& entity_;
  Lexer lex_;
  Token cur_;
  std::vector<SqlValue> binds_;
};

}  // namespace

SimResult<SqlFilter> parse_filter(const EntityInfo& entity, std::string_view text) {
  if (text.find_first_not_of(' ') == std::string_view::npos) return SqlFilter{};
  return Parser(entity, text).run();
}

std::vector<std::string> parse_select(std::string_view text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto end = text.find(',', start);
    if (end == std::string_view::npos) end = text.size();
    std::string f(text.substr(start, end - start));
    f.erase(0, f.find_first_not_of(' '));
    f.erase(f.find_last_not_of(' ') + 1);
    if (!f.empty()) out.push_back(f);
    start = end + 1;
  }
  return out;
}

std::optional<std::string> parse_string_literal(std::string_view text) {
  if (text.size() < 2 || text.front() != '\'' || text.back() != '\'') return std::nullopt;
  std::string out;
  for (std::size_t i = 1; i + 1 < text.size(); ++i) {
    out += text[i];
    if (text[i] == '\'' && i + 2 < text.size() && text[i + 1] == '\'') ++i;
  }
  return out;
}

json project(const EntityInfo& entity, const json& data, const std::vector<std::string>& select,
             bool annotations) {
  json row = json::object();
  if (data.contains("versionnumber"))
    row["@odata.etag"] = "W/\"" + std::to_string(data["versionnumber"].get<std::int64_t>()) + "\"";
  auto add = [&](const std::string& field) {
    auto it = data.find(field);
    row[field] = it == data.end() ? json(nullptr) : *it;
    if (annotations && field.starts_with('_') && field.ends_with("_value")) {
      for (const char* suffix : {"@Microsoft.Dynamics.CRM.lookuplogicalname",
                                 "@OData.Community.Display.V1.FormattedValue"}) {
        auto a = data.find(field + suffix);
        if (a != data.end()) row[field + suffix] = *a;
      }
    }
  };
  if (select.empty()) {
    for (auto& [k, v] : data.items())
      if (k.find('@') == std::string::npos) add(k);
  } else {
    for (auto& f : select) add(f);
  }
  row[entity.key] = data.value(entity.key, json(nullptr));
  return row;
}

}  // namespace crmr::sim
