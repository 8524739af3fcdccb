// Party: a sender or recipient of a message and the CRM record it resolved
// to. The decision makes them (core/decision) and a push sends them
// (core/push_message.h): one value type both layers may use.
#pragma once

#include <string>

namespace crmr {

struct Party {
  std::string role;     // from, to, cc, bcc
  std::string address;  // as written in the message
  std::string entity;   // empty when unresolved
  std::string id;
  std::string name;
  std::string create;   // from, unresolved: the entity push creates for it (empty: none)
};

}  // namespace crmr
