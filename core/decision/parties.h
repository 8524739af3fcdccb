// Party resolution (crm-router(1) ROUTING, parties): which CRM records the sender and the
// recipients of a message are.
#pragma once

#include <optional>
#include <vector>

#include "core/decision/address_book.h"
#include "core/decision/decision.h"
#include "core/message.h"

namespace crmr {

// The From address the decision works with: the first From address when it is
// usable (text@text), else std::nullopt.
std::optional<Address> sender_address(const Message& msg);

// The record the sender resolves to: the first active match in the order
// systemuser, contact, account, lead, queue, then other entities.
std::optional<RecordRef> resolve_sender(const Message& msg, const AddressBook& book);

// One Party for From (resolved to exactly one record, or unresolved) and, for
// each To/Cc/Bcc address, one Party per active matching record; an address with
// several matches stays one unresolved party when org.unresolve_if_multiple_match;
// an unknown address is an unresolved party. Inactive records are ignored.
// Appends one step per address ("parties.from", "parties.to", ...).
std::vector<Party> resolve_parties(const Message& msg, const AddressBook& book,
                                   const OrgSettings& org, std::vector<Step>& steps);

}  // namespace crmr
