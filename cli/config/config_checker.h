// ConfigChecker: walks a parsed TOML document and collects every problem as
// "FILE:LINE: problem", so a configuration is validated in one pass.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <sstream>
#include <string>
#include <toml++/toml.h>
#include <type_traits>
#include <vector>

namespace crmr {

class ConfigChecker {
 public:
  explicit ConfigChecker(std::string file) : file_(std::move(file)) {}

  void problem(const toml::node& at, const std::string& what) {
    std::ostringstream os;
    os << file_ << ':' << at.source().begin.line << ": " << what;
    problems_.push_back(os.str());
  }

  const std::vector<std::string>& problems() const { return problems_; }
  const std::string& file() const { return file_; }

  // Read `key` of `t` into `into` when present; a value of the wrong type is a
  // problem. T: bool, std::string, or an unsigned/signed integer type (>= 0).
  template <class T>
  void get(const toml::table& t, const char* key, T& into, const std::string& section) {
    const toml::node* n = t.get(key);
    if (!n) return;
    if constexpr (std::is_same_v<T, bool>) {
      if (auto v = n->value<bool>()) into = *v;
      else problem(*n, qualify(section, key) + " must be true or false");
    } else if constexpr (std::is_same_v<T, std::string>) {
      if (auto v = n->value_exact<std::string>()) into = *v;
      else problem(*n, qualify(section, key) + " must be a string");
    } else {
      auto v = n->value_exact<std::int64_t>();
      if (v && *v >= 0) into = static_cast<T>(*v);
      else problem(*n, qualify(section, key) + " must be a whole number >= 0");
    }
  }

  // Every key of `t` not in `known` is a problem.
  void unknown_keys(const toml::table& t, std::initializer_list<const char*> known,
                    const std::string& section) {
    for (auto&& [k, v] : t) {
      bool ok = false;
      for (const char* name : known) ok = ok || k.str() == name;
      if (!ok) problem(v, "unknown key " + qualify(section, std::string(k.str())));
    }
  }

  // The table `name` of `root`, or nullptr when absent (a non-table is a problem).
  const toml::table* table(const toml::table& root, const char* name) {
    const toml::node* n = root.get(name);
    if (!n) return nullptr;
    if (!n->is_table()) {
      problem(*n, std::string("[") + name + "] must be a table");
      return nullptr;
    }
    return n->as_table();
  }

  static std::string qualify(const std::string& section, const std::string& key) {
    return section.empty() ? key : section + "." + key;
  }

 private:
  std::string file_;
  std::vector<std::string> problems_;
};

}  // namespace crmr
