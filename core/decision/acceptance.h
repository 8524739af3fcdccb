// Acceptance rules of the decision for uncorrelated mail (crm-router(1) ROUTING, acceptance):
// internal e-mail and the filtering methods of the CRM users and queues the
// message is for.
#pragma once

#include <string>
#include <vector>

#include "core/decision/address_book.h"
#include "core/decision/decision.h"
#include "core/message.h"

namespace crmr {

// True when the organisation ignores internal e-mail (ignoreinternalemail), the
// sender is an active systemuser and every To/Cc address (at least one) is an
// active systemuser or queue. Appends the step "internal_email".
bool is_internal_email(const Message& msg, const AddressBook& book, const OrgSettings& org,
                       std::vector<Step>& steps);

struct Acceptance {
  bool accepted = false;
  std::string reason;  // AcceptAll, SenderMatch; or NoRecipientMatch, NoCorrelationMatch,
                       // InvalidSender, FilteredOut when not accepted
};

// The CRM recipients are the active systemusers and queues among To/Cc/Bcc, the
// mailbox owner (role User/Queue) and the forwarding user (role Forward). Each
// applies its filtering method (0 all, 1 correlated only, 2 from contacts/
// accounts/leads, 3 from any e-mail-enabled record, 4 none; a method the cache
// does not know counts as 1 for users and 0 for queues, Dynamics' defaults).
// The first recipient that accepts gives the reason. When none accepts, the
// reason is InvalidSender if a sender-filtering recipient (2, 3) met an unknown
// sender, else NoCorrelationMatch if a recipient takes correlated mail only,
// else InvalidSender if a recipient filters by sender, else FilteredOut.
// Appends "acceptance.recipients", one "acceptance.recipient" per recipient and
// "acceptance".
Acceptance accept_by_recipients(const Message& msg, const AddressBook& book,
                                const Policy& policy, std::vector<Step>& steps);

}  // namespace crmr
