// The CRM recipients of a message (crm-router(1) ROUTING, acceptance): the
// active CRM users and queues among To/Cc/Bcc, the mailbox owner (role
// User/Queue) and the forwarding user (role Forward), each once, in that
// order. The acceptance rule (acceptance.h) asks whether any of them takes the
// message; push needs every one that does (Decision::accepted_by), for the
// queues the e-mail goes into and the e-mail's accepting entity.
#pragma once

#include <initializer_list>
#include <string>
#include <vector>

#include "core/decision/address_book.h"
#include "core/decision/decision.h"
#include "core/message.h"

namespace crmr {

struct CrmRecipient {
  RecordRef record;
  std::string via;  // e.g. "To bob@contoso.example", "mailbox owner sales@..."
};

// The CRM recipients in order: mailbox owner or forwarding user first, then
// To, Cc, Bcc. `notes` gets why a mailbox owner or forwarding user is none
// (not an active CRM user or queue, unknown forwarder).
std::vector<CrmRecipient> crm_recipients(const Message& msg, const AddressBook& book,
                                         const Policy& policy, std::vector<std::string>& notes);

// True when one of `records` is of an entity in `names`.
bool has_entity(const std::vector<RecordRef>& records, std::initializer_list<const char*> names);

// The filtering method a recipient applies: its own, or Dynamics' default
// when the cache does not know it (1 for users, 0 for queues).
int effective_filtering_method(const RecordRef& record);

// Every CRM recipient whose filtering method takes a message that was
// accepted (or correlated, when `correlated`): 0 all; 1 correlated only; 2
// from an active contact, account or lead; 3 from any active e-mail-enabled
// record; 4 none. A correlated message is taken by every recipient but those
// with method 4, as correlated mail is accepted whatever the filtering
// (crm-router(1) ROUTING). Appends the step "acceptance.accepted_by" naming
// them and the queues the e-mail goes into.
std::vector<Acceptor> accepting_recipients(const Message& msg, const AddressBook& book,
                                           const Policy& policy, bool correlated,
                                           std::vector<Step>& steps);

}  // namespace crmr
