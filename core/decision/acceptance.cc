#include "core/decision/acceptance.h"

#include <optional>

#include "core/decision/crm_recipients.h"
#include "core/decision/parties.h"

namespace crmr {
namespace {

const char* method_text(int method) {
  switch (method) {
    case 0: return "all e-mail";
    case 1: return "only responses to CRM e-mail (correlated)";
    case 2: return "e-mail from CRM contacts, accounts and leads";
    case 3: return "e-mail from any e-mail-enabled CRM record";
    case 4: return "no e-mail";
  }
  return "an unknown filtering method";
}

enum class Refusal { None, Correlation, Sender, Filtered };

}  // namespace

bool is_internal_email(const Message& msg, const AddressBook& book, const OrgSettings& org,
                       std::vector<Step>& steps) {
  Step step{"internal_email", false, {}};
  auto from = sender_address(msg);
  std::vector<const Address*> recipients;
  for (const auto* list : {&msg.to, &msg.cc})
    for (const auto& a : *list)
      if (!a.address.empty()) recipients.push_back(&a);

  if (!org.ignore_internal_email) {
    step.detail = "the organisation accepts internal e-mail (ignoreinternalemail is off)";
  } else if (!from || !has_entity(book.active(from->address), {"systemuser"})) {
    step.detail = "sender " + (from ? from->address : std::string("(none)")) +
                  " is not an active CRM user";
  } else if (recipients.empty()) {
    step.detail = "sender " + from->address + " is a CRM user, but there is no To/Cc recipient";
  } else {
    const Address* outsider = nullptr;
    for (const auto* a : recipients)
      if (!has_entity(book.active(a->address), {"systemuser", "queue"})) {
        outsider = a;
        break;
      }
    if (outsider) {
      step.detail = "recipient " + outsider->address + " is not an active CRM user or queue";
    } else {
      step.fired = true;
      step.detail = "sender " + from->address + " and all " +
                    std::to_string(recipients.size()) +
                    " To/Cc recipient(s) are active CRM users or queues; the organisation "
                    "ignores internal e-mail (ignoreinternalemail)";
    }
  }
  steps.push_back(step);
  return step.fired;
}

Acceptance accept_by_recipients(const Message& msg, const AddressBook& book,
                                const Policy& policy, std::vector<Step>& steps) {
  std::vector<std::string> notes;
  const auto recipients = crm_recipients(msg, book, policy, notes);
  std::string note_text;
  for (const auto& n : notes) note_text += "; " + n;

  if (recipients.empty()) {
    steps.push_back(Step{"acceptance.recipients", false,
                         "no active CRM user or queue among the recipients" + note_text});
    steps.push_back(Step{"acceptance", false, "tossed: NoRecipientMatch"});
    return {false, "NoRecipientMatch"};
  }
  std::vector<std::string> names;
  for (const auto& r : recipients) names.push_back(describe(r.record));
  steps.push_back(Step{"acceptance.recipients", true,
                       std::to_string(recipients.size()) + " CRM recipient(s): " +
                           join_words(names) + note_text});

  auto from = sender_address(msg);
  const auto sender_records = from ? book.active(from->address) : std::vector<RecordRef>{};
  const std::string sender_text = from ? from->address : std::string("(no usable From)");

  bool wants_correlation = false, filters_sender = false, sender_unknown_refused = false;
  for (const auto& r : recipients) {
    int method = r.record.filtering_method;
    std::string method_note;
    if (method < 0) {
      method = r.record.entity == "queue" ? 0 : 1;
      method_note = " (not in the cache; Dynamics default " + std::to_string(method) + ")";
    }
    std::string head = describe(r.record) + " (" + r.via + ") takes " + method_text(method) +
                       " [filtering method " + std::to_string(method) + "]" + method_note;
    std::optional<std::string> reason;
    Refusal refusal = Refusal::None;
    std::string why;
    switch (method) {
      case 0:
        reason = "AcceptAll";
        break;
      case 1:
        refusal = Refusal::Correlation;
        why = "the message is not correlated with tracked CRM e-mail";
        break;
      case 2:
        if (has_entity(sender_records, {"contact", "account", "lead"})) {
          reason = "SenderMatch";
          why = "sender " + sender_text + " is an active contact, account or lead";
        } else {
          refusal = Refusal::Sender;
          why = "sender " + sender_text + " is not an active CRM contact, account or lead";
        }
        break;
      case 3:
        if (!sender_records.empty()) {
          reason = "SenderMatch";
          why = "sender " + sender_text + " is " + describe(sender_records.front());
        } else {
          refusal = Refusal::Sender;
          why = "sender " + sender_text + " is not an active e-mail-enabled CRM record";
        }
        break;
      default:
        refusal = Refusal::Filtered;
        why = "this recipient accepts nothing";
        break;
    }
    if (reason) {
      steps.push_back(Step{"acceptance.recipient", true,
                           head + ": accepts" + (why.empty() ? "" : ", " + why) + " (" +
                               *reason + ")"});
      steps.push_back(Step{"acceptance", true, "accepted by " + describe(r.record) + ": " +
                                                   *reason});
      return {true, *reason};
    }
    steps.push_back(Step{"acceptance.recipient", false, head + ": refuses, " + why});
    wants_correlation = wants_correlation || refusal == Refusal::Correlation;
    filters_sender = filters_sender || refusal == Refusal::Sender;
    sender_unknown_refused =
        sender_unknown_refused || (refusal == Refusal::Sender && sender_records.empty());
  }
  std::string reason, because;
  if (sender_unknown_refused) {
    reason = "InvalidSender";
    because = "a recipient takes mail only from CRM records and sender " + sender_text +
              " is none";
  } else if (wants_correlation) {
    reason = "NoCorrelationMatch";
    because = "a recipient takes only responses to CRM e-mail and the message correlates "
              "with none";
  } else if (filters_sender) {
    reason = "InvalidSender";
    because = "sender " + sender_text + " is not a kind of record the recipients take mail from";
  } else {
    reason = "FilteredOut";
    because = "every CRM recipient's filtering method takes no e-mail";
  }
  steps.push_back(Step{"acceptance", false,
                       "no CRM recipient accepts the message: " + because + "; tossed: " +
                           reason});
  return {false, reason};
}

}  // namespace crmr
