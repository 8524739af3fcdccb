#include "core/crm/dataverse_email.h"

#include <algorithm>

#include "core/base/html_escape.h"
#include "core/base/iso_time.h"
#include "core/base/normalize.h"
#include "core/crm/dataverse_correlation.h"
#include "core/crm/dataverse_queue.h"
#include "core/base/ascii.h"

namespace crmr::dataverse {
namespace {

Error bad_outbox(const PushMessage& m, const std::string& why) {
  return Error{Code::CrmBadOutbox,
               "outbox item " + std::to_string(m.id) + " (" + m.key + "): " + why,
               "the message is quarantined; `crm-router quarantine export` keeps its bytes",
               Scope::Message, Retry::Never};
}

int participation_mask(const std::string& role) {
  if (role == "from") return 1;
  if (role == "to") return 2;
  if (role == "cc") return 3;
  if (role == "bcc") return 4;
  return 0;
}

std::string join(const std::vector<std::string>& items, const char* sep) {
  std::string out;
  for (const auto& s : items) {
    if (s.empty()) continue;
    if (!out.empty()) out += sep;
    out += s;
  }
  return out;
}

std::vector<std::string> addresses_of(const std::vector<Address>& list) {
  std::vector<std::string> out;
  for (const auto& a : list) out.push_back(a.address);
  return out;
}

// Insert `html` before the closing </body> of `doc` (case-insensitive), else append.
std::string append_html(std::string doc, const std::string& html) {
  std::string lowered = ascii_lower(doc);
  auto at = lowered.rfind("</body>");
  if (at == std::string::npos) return doc + html;
  doc.insert(at, html);
  return doc;
}

std::string attachment_name(const Attachment& a, std::size_t index) {
  if (!a.filename.empty()) return a.filename;
  if (a.content_type == "message/rfc822") return "message-" + std::to_string(index + 1) + ".eml";
  return "attachment-" + std::to_string(index + 1);
}

}  // namespace

std::string utf8_prefix(std::string_view text, std::size_t limit, bool* truncated) {
  std::size_t count = 0, i = 0;
  while (i < text.size()) {
    if (count == limit) break;
    unsigned char c = static_cast<unsigned char>(text[i]);
    std::size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
    i = std::min(text.size(), i + len);
    ++count;
  }
  if (truncated) *truncated = i < text.size();
  return std::string(text.substr(0, i));
}

namespace {

// Dataverse's lengths: firstname and lastname 50, emailaddress1 100, a lead's subject 300.
NewSender new_sender(const Party& party, const Message& msg, const std::string& subject,
                     std::size_t index) {
  std::string display;
  for (const Address& a : msg.from)
    if (normalize_address(a.address) == normalize_address(party.address)) display = a.name;
  if (display.empty()) display = party.name;
  std::string first, last;
  if (auto comma = display.find(','); comma != std::string::npos) {  // "Doe, Jane"
    last = display.substr(0, comma);
    first = display.substr(comma + 1);
  } else if (auto space = display.rfind(' '); space != std::string::npos) {  // "Jane Doe"
    first = display.substr(0, space);
    last = display.substr(space + 1);
  } else {
    last = display;
  }
  auto trim = [](std::string s) {
    s.erase(0, s.find_first_not_of(" \t\""));
    s.erase(s.find_last_not_of(" \t\"") + 1);
    return s;
  };
  first = trim(first);
  last = trim(last);
  if (last.empty()) std::swap(first, last);
  if (last.empty()) last = party.address.substr(0, party.address.find('@'));
  NewSender s;
  s.entity = party.create;
  s.address = party.address;
  s.party = index;
  s.body = {{"emailaddress1", utf8_prefix(party.address, 100)}, {"lastname", utf8_prefix(last, 50)}};
  if (!first.empty()) s.body["firstname"] = utf8_prefix(first, 50);
  if (s.entity == "lead") s.body["subject"] = utf8_prefix(subject.empty() ? "E-mail from " + party.address : subject, 300);
  return s;
}

// A message without a Message-ID gets one made of its key, so the CRM's
// duplicate check still finds it after a crash.
std::string bare_message_id(const PushDecision& e, const std::string& parsed, const PushMessage& m) {
  return !e.message_id.empty() ? e.message_id : !parsed.empty() ? parsed : m.key + "@crm-router.invalid";
}

}  // namespace

Result<MessageKey> message_key(const PushMessage& m, const ParseLimits& limits) {
  if (!m.decision) return std::unexpected(bad_outbox(m, "its decision cannot be read: " + m.decision_error));
  const PushDecision& e = *m.decision;
  std::string parsed;
  if (e.message_id.empty()) {
    auto msg = parse_message(m.raw, limits);
    if (!msg) return std::unexpected(bad_outbox(m, "its bytes cannot be parsed: " + msg.error().message));
    parsed = msg->message_id;
  }
  MessageKey k;
  k.message_id = utf8_prefix("<" + bare_message_id(e, parsed, m) + ">", kMessageIdLimit);
  k.received_only = e.reason == "InternalEmailSecondActivity";
  return k;
}

std::string sender_query(std::string_view entity, std::string_view address) {
  const std::string lit = odata_string(address);
  return entity_set(entity) + "?$select=" + std::string(entity) + "id&$filter=" +
         url_encode("emailaddress1 eq " + lit + " or emailaddress2 eq " + lit + " or emailaddress3 eq " + lit) +
         "&$top=1";
}

void bind_sender(EmailPlan& p, const std::string& id) {
  if (!p.new_sender) return;
  auto& parties = p.email["email_activity_parties"];
  if (p.new_sender->party >= parties.size()) return;
  parties[p.new_sender->party]["partyid_" + p.new_sender->entity + "@odata.bind"] =
      "/" + entity_set(p.new_sender->entity) + "(" + id + ")";
}

Result<EmailPlan> plan_email(const PushMessage& m, const ParseLimits& limits,
                             std::uint64_t block_upload_over) {
  if (!m.decision) return std::unexpected(bad_outbox(m, "its decision cannot be read: " + m.decision_error));
  auto parsed = parse_message(m.raw, limits);
  if (!parsed) return std::unexpected(bad_outbox(m, "its bytes cannot be parsed: " + parsed.error().message));
  const Message& msg = *parsed;
  const PushDecision& e = *m.decision;

  EmailPlan p;
  std::string id = bare_message_id(e, msg.message_id, m);
  bool cut = false;
  p.message_id = utf8_prefix("<" + id + ">", kMessageIdLimit, &cut);
  if (cut) p.notes.push_back("messageid truncated to 320 characters");
  p.label = "outbox item " + std::to_string(m.id) + " <" + id + ">";
  p.beside_sent_copy = e.reason == "InternalEmailSecondActivity";

  std::string subject = !msg.subject.empty() ? msg.subject : e.subject;
  p.subject = utf8_prefix(subject, kSubjectLimit, &cut);
  if (cut) p.notes.push_back("subject truncated to 800 characters");

  // Attachments: kept ones go to the CRM, left-out ones are named in the body.
  std::vector<std::string> left_out;
  for (std::size_t i = 0; i < msg.attachments.size(); ++i) {
    const Attachment& a = msg.attachments[i];
    const PushAttachment* v = i < e.attachments.size() ? &e.attachments[i] : nullptr;
    std::string name = attachment_name(a, i);
    if (v && !v->kept) {
      left_out.push_back(name + " (" + v->why + ")");
      continue;
    }
    const std::string mimetype = a.content_type.empty() ? "application/octet-stream" : a.content_type;
    if (a.data.size() > block_upload_over) {
      p.large.push_back(LargeAttachment{i, name, mimetype, a.content_id, a.data.size()});
      continue;
    }
    nlohmann::json att = {{"filename", name}, {"mimetype", mimetype}, {"body", base64_encode(a.data)}};
    if (!a.content_id.empty()) att["attachmentcontentid"] = a.content_id;
    p.attachments.push_back(std::move(att));
  }

  std::string note;
  if (!left_out.empty()) {
    note = "Attachments left out by crm-router: " + join(left_out, "; ");
    p.notes.push_back(note);
  }
  if (!msg.html_body.empty()) {
    p.body = note.empty() ? msg.html_body : append_html(msg.html_body, "<p>" + html_escape(note) + "</p>");
  } else {
    p.body = "<pre>" + html_escape(msg.text_body) + "</pre>";
    if (!note.empty()) p.body += "<p>" + html_escape(note) + "</p>";
  }

  p.from = msg.from.empty() ? e.from : msg.from.front().address;
  p.to = join(addresses_of(msg.to), ";");
  p.cc = join(addresses_of(msg.cc), ";");
  p.bcc = join(addresses_of(msg.bcc), ";");
  p.received_on = msg.date ? iso_utc(*msg.date) : e.date;
  p.priority = msg.priority;

  nlohmann::json email = {{"subject", p.subject},
                          {"description", p.body},
                          {"directioncode", false},
                          {"messageid", p.message_id},
                          {"sender", p.from},
                          {"torecipients", p.to},
                          {"prioritycode", p.priority}};
  if (!p.received_on.empty()) email["actualend"] = p.received_on;
  if (!left_out.empty()) email["notifications"] = 1;
  if (e.regarding && !e.regarding->entity.empty() && !e.regarding->id.empty()) {
    email["regardingobjectid_" + e.regarding->entity + "_email@odata.bind"] =
        "/" + entity_set(e.regarding->entity) + "(" + e.regarding->id + ")";
  }
  nlohmann::json parties = nlohmann::json::array();
  for (const Party& party : e.parties) {
    int mask = participation_mask(party.role);
    if (mask == 0) continue;
    nlohmann::json jp = {{"participationtypemask", mask}, {"addressused", party.address}};
    if (!party.entity.empty() && !party.id.empty())
      jp["partyid_" + party.entity + "@odata.bind"] = "/" + entity_set(party.entity) + "(" + party.id + ")";
    else if (party.role == "from" && !party.create.empty() && !p.new_sender)
      p.new_sender = new_sender(party, msg, p.subject, parties.size());
    parties.push_back(std::move(jp));
  }
  email["email_activity_parties"] = std::move(parties);
  add_correlation_fields(email, e);
  p.email = std::move(email);
  for (const CrmRef& a : e.accepted_by)
    if (a.entity == "queue" && !a.id.empty()) p.queues.push_back(a);
  if (e.regarding) p.regarding_id = e.regarding->id;
  return p;
}

std::vector<BatchRequest> change_set(const EmailPlan& p, const ChangeSetOptions& o) {
  std::vector<BatchRequest> out;
  nlohmann::json email = p.email;
  const bool complete = p.large.empty();
  if (complete && o.state_in_create) {
    email["statecode"] = 1;
    email["statuscode"] = 4;
  }
  out.push_back(BatchRequest{"POST", o.api_path + "emails", "1", std::move(email)});
  int cid = 1;
  for (const auto& a : p.attachments) {
    nlohmann::json body = a;
    if (o.bind_email) body["objectid_email@odata.bind"] = "$1";
    else body["objectid_activitypointer@odata.bind"] = "$1";
    body["objecttypecode"] = "email";
    out.push_back(BatchRequest{"POST", o.api_path + "activitymimeattachments",
                               std::to_string(++cid), std::move(body)});
  }
  if (complete && !o.state_in_create) {
    out.push_back(BatchRequest{"PATCH", "$1", std::to_string(++cid),
                               nlohmann::json{{"statecode", 1}, {"statuscode", 4}}});
  }
  if (o.queue_items)
    for (const CrmRef& q : p.queues) out.push_back(queue_item_create(o.api_path, q.id, "$1", std::to_string(++cid)));
  return out;
}

std::string check_incoming_url(const EmailPlan& p) {
  std::string url = "CheckIncomingEmail(MessageId=@m,Subject=@s,"
                    "From=@f,To=@t,Cc=@c,Bcc=@b)";
  url += "?@m=" + url_encode(odata_string(p.message_id));
  url += "&@s=" + url_encode(odata_string(p.subject));
  url += "&@f=" + url_encode(odata_string(p.from));
  url += "&@t=" + url_encode(odata_string(p.to));
  url += "&@c=" + url_encode(odata_string(p.cc));
  url += "&@b=" + url_encode(odata_string(p.bcc));
  return url;
}

nlohmann::json deliver_incoming_body(const EmailPlan& p) {
  nlohmann::json atts = nlohmann::json::array();
  for (const auto& a : p.attachments) {
    nlohmann::json x = a;
    x["@odata.type"] = "Microsoft.Dynamics.CRM.activitymimeattachment";
    atts.push_back(std::move(x));
  }
  return {{"MessageId", p.message_id}, {"Subject", p.subject},   {"From", p.from},
          {"To", p.to},                {"Cc", p.cc},             {"Bcc", p.bcc},
          {"ReceivedOn", p.received_on}, {"SubmittedBy", ""},    {"Importance", p.priority},
          {"Body", p.body},            {"Attachments", std::move(atts)},
          {"ValidateBeforeCreate", false}};
}

}  // namespace crmr::dataverse
