// Result<T> and Error: expected failures as values.
#pragma once

#include <expected>
#include <string>
#include <string_view>
#include <utility>

#include "core/error_code.h"

namespace crmr {

struct Error {
  Code code{};          // what failed; code_name() is its stable string, e.g. "parse.not_a_message"
  std::string message;  // what went wrong, naming the file/message
  std::string hint;     // what the user can do about it (may be empty)
  Scope scope = Scope::Message;
  Retry retry = Retry::Never;

  // "message (hint)" for one-line display.
  std::string describe() const {
    return hint.empty() ? message : message + " (" + hint + ")";
  }

  // The code's stable string, for reports, logs and JSON.
  std::string_view code_name() const { return crmr::code_name(code); }
};

// std::expected, but a value the caller must look at: a Result (or Status)
// dropped on the floor is a warning. Discarding one on purpose is written
// `(void)` with a comment saying why.
template <class T>
class [[nodiscard]] Result : public std::expected<T, Error> {
 public:
  using std::expected<T, Error>::expected;
  Result(const std::expected<T, Error>& e) : std::expected<T, Error>(e) {}
  Result(std::expected<T, Error>&& e) : std::expected<T, Error>(std::move(e)) {}
};

using Status = Result<void>;

// An Error with the code's default scope and retry class (core/error_code.h).
inline std::unexpected<Error> fail(Code code, std::string message) {
  const CodeInfo& info = code_info(code);
  return std::unexpected<Error>(Error{code, std::move(message), {}, info.scope, info.retry});
}

// The same with a hint for the user.
inline std::unexpected<Error> fail(Code code, std::string message, std::string hint) {
  const CodeInfo& info = code_info(code);
  return std::unexpected<Error>(Error{code, std::move(message), std::move(hint), info.scope, info.retry});
}

// An Error whose scope and retry class are not the code's defaults.
inline std::unexpected<Error> fail(Code code, std::string message, Scope scope, Retry retry,
                                   std::string hint = {}) {
  return std::unexpected<Error>(Error{code, std::move(message), std::move(hint), scope, retry});
}

inline std::unexpected<Error> fail(Error e) {
  return std::unexpected<Error>(std::move(e));
}

}  // namespace crmr
