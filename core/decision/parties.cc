#include "core/decision/parties.h"

#include <string>

namespace crmr {
namespace {

Party unresolved(const char* role, const Address& a) {
  return Party{role, a.address, {}, {}, a.name, {}};
}

Party resolved(const char* role, const Address& a, const RecordRef& r) {
  return Party{role, a.address, r.entity, r.id, r.name.empty() ? a.name : r.name, {}};
}

// "2 inactive record(s) ignored" or "".
std::string inactive_note(const AddressBook& book, const std::string& address) {
  std::size_t inactive = 0;
  for (const auto& r : book.all(address))
    if (!r.active) ++inactive;
  if (inactive == 0) return {};
  return "; " + std::to_string(inactive) + " inactive record(s) ignored";
}

void resolve_recipients(const char* role, const std::vector<Address>& list,
                        const AddressBook& book, const OrgSettings& org,
                        std::vector<Party>& parties, std::vector<Step>& steps) {
  const std::string rule = std::string("parties.") + role;
  for (const auto& a : list) {
    if (a.address.empty()) continue;
    const auto matches = book.active(a.address);
    const std::string note = inactive_note(book, a.address);
    if (matches.empty()) {
      parties.push_back(unresolved(role, a));
      steps.push_back(Step{rule, false, a.address + " matches no active CRM record" + note +
                                            "; unresolved"});
    } else if (matches.size() > 1 && org.unresolve_if_multiple_match) {
      parties.push_back(unresolved(role, a));
      steps.push_back(Step{rule, false,
                           a.address + " matches " + std::to_string(matches.size()) +
                               " active records; left unresolved because the organisation "
                               "asks for it (unresolveemailaddressifmultiplematch)" +
                               note});
    } else {
      std::vector<std::string> names;
      for (const auto& r : matches) {
        parties.push_back(resolved(role, a, r));
        names.push_back(describe(r));
      }
      steps.push_back(Step{rule, true, a.address + " -> " + join_words(names) + note});
    }
  }
}

}  // namespace

std::optional<Address> sender_address(const Message& msg) {
  if (msg.from.empty() || !usable_address(msg.from.front().address)) return std::nullopt;
  return msg.from.front();
}

std::optional<RecordRef> resolve_sender(const Message& msg, const AddressBook& book) {
  auto from = sender_address(msg);
  if (!from) return std::nullopt;
  auto matches = book.active(from->address);
  if (matches.empty()) return std::nullopt;
  return matches.front();
}

std::vector<Party> resolve_parties(const Message& msg, const AddressBook& book,
                                   const OrgSettings& org, std::vector<Step>& steps) {
  std::vector<Party> parties;
  if (auto from = sender_address(msg)) {
    const std::string note = inactive_note(book, from->address);
    if (auto record = resolve_sender(msg, book)) {
      parties.push_back(resolved("from", *from, *record));
      steps.push_back(Step{"parties.from", true,
                           from->address + " -> " + describe(*record) +
                               " (first active match: systemuser, contact, account, lead, "
                               "queue)" + note});
    } else {
      parties.push_back(unresolved("from", *from));
      steps.push_back(Step{"parties.from", false,
                           from->address + " matches no active CRM record" + note +
                               "; unresolved"});
    }
  } else if (!msg.from.empty() && !msg.from.front().address.empty()) {
    parties.push_back(unresolved("from", msg.from.front()));
    steps.push_back(Step{"parties.from", false,
                         "\"" + msg.from.front().address +
                             "\" is not a usable e-mail address; unresolved"});
  } else {
    steps.push_back(Step{"parties.from", false, "no From address"});
  }
  resolve_recipients("to", msg.to, book, org, parties, steps);
  resolve_recipients("cc", msg.cc, book, org, parties, steps);
  resolve_recipients("bcc", msg.bcc, book, org, parties, steps);
  return parties;
}

}  // namespace crmr
