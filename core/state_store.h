// StateStore: the state a mailbox run keeps between runs: key/value entries
// (the folders' cursors) and, for a mailbox whose ids do not persist in an
// order (POP3 UIDLs), the ids already processed. Implemented by storage's
// Store; the engine (core/engine) knows only this port.
//
// Failure: reads and writes return Results; a failure means the run must stop
// (Scope::Run). Writes join the open batch of the same store, if any.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/result.h"

namespace crmr {

class StateStore {
 public:
  virtual ~StateStore() = default;

  // A missing key reads as std::nullopt.
  virtual Result<std::optional<std::string>> state_get(const std::string& key) const = 0;
  virtual Status state_set(const std::string& key, const std::string& value) = 0;

  // The ids of configured mailbox `mailbox` already processed (POP3 UIDLs).
  virtual Result<std::vector<std::string>> pop3_seen(const std::string& mailbox) const = 0;
  virtual Status pop3_mark_seen(const std::string& mailbox,
                                const std::vector<std::string>& uidls) = 0;
  // Forget ids (messages no longer on the server).
  virtual Status pop3_forget(const std::string& mailbox,
                             const std::vector<std::string>& uidls) = 0;
};

}  // namespace crmr
