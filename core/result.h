// Result<T> and Error: expected failures as values.
#pragma once

#include <expected>
#include <string>
#include <utility>

namespace crmr {

// How far a failure reaches: the pipeline reads this to decide what to skip.
enum class Scope { Message, Mailbox, Account, Run };

// Whether retrying can help: now (same run), later (next run), never.
enum class Retry { Now, Later, Never };

struct Error {
  std::string code;     // stable machine-readable code, e.g. "parse.no_separator"
  std::string message;  // what went wrong, naming the file/message
  std::string hint;     // what the user can do about it (may be empty)
  Scope scope = Scope::Message;
  Retry retry = Retry::Never;

  // "message (hint)" for one-line display.
  std::string describe() const {
    return hint.empty() ? message : message + " (" + hint + ")";
  }
};

template <class T>
using Result = std::expected<T, Error>;

using Status = std::expected<void, Error>;

inline std::unexpected<Error> fail(std::string code, std::string message,
                                   Scope scope = Scope::Message,
                                   Retry retry = Retry::Never,
                                   std::string hint = {}) {
  return std::unexpected<Error>(Error{std::move(code), std::move(message),
                                      std::move(hint), scope, retry});
}

inline std::unexpected<Error> fail(Error e) {
  return std::unexpected<Error>(std::move(e));
}

}  // namespace crmr
