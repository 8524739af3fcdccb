#include "core/decision/crm_recipients.h"

#include <set>

#include "core/decision/parties.h"

namespace crmr {
namespace {

// Whether `method` takes the message, given the sender's active records.
bool takes(int method, const std::vector<RecordRef>& sender, bool correlated) {
  if (method == 0) return true;
  if (method < 1 || method > 3) return false;  // 4 none, or a method Dynamics does not have
  if (correlated) return true;
  if (method == 2) return has_entity(sender, {"contact", "account", "lead"});
  if (method == 3) return !sender.empty();
  return false;  // 1: correlated mail only
}

}  // namespace

bool has_entity(const std::vector<RecordRef>& records, std::initializer_list<const char*> names) {
  for (const auto& r : records)
    for (const char* n : names)
      if (r.entity == n) return true;
  return false;
}

std::vector<CrmRecipient> crm_recipients(const Message& msg, const AddressBook& book,
                                         const Policy& policy, std::vector<std::string>& notes) {
  std::vector<CrmRecipient> out;
  std::set<std::pair<std::string, std::string>> seen;
  auto add = [&](const std::string& address, const std::string& via,
                 std::initializer_list<const char*> entities) {
    if (address.empty()) return false;
    bool any = false;
    for (const auto& r : book.active(address)) {
      bool wanted = false;
      for (const char* e : entities) wanted = wanted || r.entity == e;
      if (!wanted) continue;
      any = true;
      if (seen.insert({r.entity, r.id}).second) out.push_back({r, via + " " + address});
    }
    return any;
  };
  switch (policy.role.kind) {
    case MailboxRole::User:
      if (!add(policy.role.address, "mailbox owner", {"systemuser"}))
        notes.push_back("mailbox owner " + policy.role.address +
                        " is not an active CRM user");
      break;
    case MailboxRole::Queue:
      if (!add(policy.role.address, "mailbox owner", {"queue"}))
        notes.push_back("mailbox owner " + policy.role.address +
                        " is not an active CRM queue");
      break;
    case MailboxRole::Forward:
      if (policy.forwarded_by.empty())
        notes.push_back("forward mailbox, but no forwarding user is known");
      else if (!add(policy.forwarded_by, "forwarded by", {"systemuser"}))
        notes.push_back("forwarding user " + policy.forwarded_by +
                        " is not an active CRM user");
      break;
    case MailboxRole::None:
      break;
  }
  for (const auto& [list, label] : {std::pair{&msg.to, "To"}, std::pair{&msg.cc, "Cc"},
                                    std::pair{&msg.bcc, "Bcc"}})
    for (const auto& a : *list) add(a.address, label, {"systemuser", "queue"});
  return out;
}


int effective_filtering_method(const RecordRef& record) {
  if (record.filtering_method >= 0) return record.filtering_method;
  return record.entity == "queue" ? 0 : 1;
}

std::vector<Acceptor> accepting_recipients(const Message& msg, const AddressBook& book,
                                           const Policy& policy, bool correlated,
                                           std::vector<Step>& steps) {
  std::vector<std::string> notes;
  const auto recipients = crm_recipients(msg, book, policy, notes);
  const auto from = sender_address(msg);
  const auto sender = from ? book.active(from->address) : std::vector<RecordRef>{};
  std::vector<Acceptor> out;
  std::vector<std::string> names, queues;
  for (const auto& r : recipients) {
    if (!takes(effective_filtering_method(r.record), sender, correlated)) continue;
    out.push_back(Acceptor{r.record.entity, r.record.id, r.record.name, r.via});
    names.push_back(describe(r.record) + " (" + r.via + ")");
    if (r.record.entity == "queue") queues.push_back(r.record.name.empty() ? r.record.id : r.record.name);
  }
  std::string detail = out.empty() ? std::string("no CRM user or queue among the recipients takes it")
                                   : "taken by " + join_words(names);
  detail += queues.empty() ? "; it goes into no queue"
                           : "; the e-mail goes into queue" + std::string(queues.size() > 1 ? "s " : " ") +
                                 join_words(queues);
  steps.push_back(Step{"acceptance.accepted_by", !out.empty(), detail});
  return out;
}

}  // namespace crmr
