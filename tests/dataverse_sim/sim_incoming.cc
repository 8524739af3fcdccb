// The server-side delivery functions: CheckIncomingEmail (a simple but real
// version of the rules) and DeliverIncomingEmail (creates the e-mail with
// parties resolved and correlation by tracking token done here).
#include <cctype>
#include <regex>

#include "sim_api.h"
#include "sim_odata.h"

namespace crmr::sim {
namespace {

// Addresses in "Name <a@x>; b@y, ..." -> {"a@x", "b@y"}.
std::vector<std::string> addresses(const std::string& text) {
  static const std::regex re(R"([A-Za-z0-9._%+'=!#$&*/?^`{|}~-]+@[A-Za-z0-9.-]+)");
  std::vector<std::string> out;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), re); it != std::sregex_iterator();
       ++it)
    out.push_back(lower(it->str()));
  return out;
}

std::string squeeze(const std::string& s) {
  std::string out;
  for (char c : s)
    if (!std::isspace(static_cast<unsigned char>(c))) out += static_cast<char>(std::tolower(c));
  return out;
}

// Function parameters "A=@a,B='x'" with aliases resolved from the query.
std::map<std::string, std::string> function_args(const std::string& args, const SimRequest& r) {
  std::map<std::string, std::string> out;
  std::size_t i = 0;
  while (i < args.size()) {
    auto eq = args.find('=', i);
    if (eq == std::string::npos) break;
    std::string name = args.substr(i, eq - i);
    std::size_t j = eq + 1;
    bool quoted = false;
    while (j < args.size() && (quoted || args[j] != ',')) {
      if (args[j] == '\'') quoted = !quoted;
      ++j;
    }
    std::string raw = args.substr(eq + 1, j - eq - 1);
    if (raw.starts_with('@')) raw = r.param(raw);
    if (auto lit = parse_string_literal(raw)) raw = *lit;
    if (raw == "null") raw.clear();
    out[name] = raw;
    i = j + 1;
  }
  return out;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> Api::resolve_address(const std::string& address) {
  std::vector<std::pair<std::string, std::string>> out;
  const std::vector<SqlValue> one{address};
  const std::vector<SqlValue> three{address, address, address};
  auto find = [&](const char* logical, const std::string& where, const std::vector<SqlValue>& b) {
    for (auto& row : store_.select(*entity_by_logical(logical), where, b, 0, 0, -1))
      out.emplace_back(logical, row.data.value(entity_by_logical(logical)->key, ""));
  };
  find("systemuser", "json_extract(data,'$.internalemailaddress') = ? COLLATE NOCASE", one);
  find("queue", "json_extract(data,'$.emailaddress') = ? COLLATE NOCASE", one);
  const std::string where =
      "json_extract(data,'$.emailaddress1') = ? COLLATE NOCASE OR "
      "json_extract(data,'$.emailaddress2') = ? COLLATE NOCASE OR "
      "json_extract(data,'$.emailaddress3') = ? COLLATE NOCASE";
  for (const char* logical : {"contact", "account", "lead"}) find(logical, where, three);
  return out;
}

Api::IncomingCheck Api::check_incoming(const std::string& message_id, const std::string& subject,
                                       const std::string& from, const std::string& to,
                                       const std::string& cc) {
  IncomingCheck check;
  if (!message_id.empty() && store_.incoming_email_by_messageid(message_id)) {
    check.reason = 0;  // Duplicate
    return check;
  }
  auto senders = addresses(from);
  if (senders.empty()) {
    check.reason = 7;  // InvalidSender
    return check;
  }
  const std::string folded = lower(subject);
  for (auto& prefix : org_limits().prefixes) {
    const std::string p = lower(prefix);
    for (auto at = folded.find(p); at != std::string::npos; at = folded.find(p, at + 1)) {
      std::size_t k = at + p.size();
      if (k < folded.size() && folded[k] == ' ') ++k;
      std::size_t digits = k;
      while (digits < folded.size() && std::isdigit(static_cast<unsigned char>(folded[digits])))
        ++digits;
      if (digits == k) continue;
      const std::string token = squeeze(p + folded.substr(k, digits - k));
      auto rows = store_.select(*entity_by_set("emails"),
                                "replace(lower(trackingtoken),' ','') = ?", {token}, 0, 0, 1);
      if (!rows.empty()) {
        check.deliver = true;
        check.reason = 2;  // CorrelationMatch
        check.correlated_email = rows[0].data.value("activityid", "");
        return check;
      }
    }
  }
  auto recipients = addresses(to);
  for (auto& a : addresses(cc)) recipients.push_back(a);
  for (auto& address : recipients) {
    for (auto& [logical, id] : resolve_address(address)) {
      int method = -1;
      if (logical == "queue") {
        if (auto q = store_.get(*entity_by_logical("queue"), id))
          method = q->value("incomingemailfilteringmethod", -1);
      } else if (logical == "systemuser") {
        if (auto s = store_.get(*entity_by_logical("usersettings"), id))
          method = s->value("incomingemailfilteringmethod", -1);
      }
      if (method == 0) {
        check.deliver = true;
        check.reason = 6;  // AcceptAll
        return check;
      }
    }
  }
  for (auto& [logical, id] : resolve_address(senders.front())) {
    if (logical == "contact" || logical == "account" || logical == "lead") {
      check.deliver = true;
      check.reason = 5;  // SenderMatch
      return check;
    }
  }
  check.reason = 3;  // NoRecipientMatch
  return check;
}

SimResult<SimResponse> Api::check_incoming_email(const std::string& args, const SimRequest& r) {
  auto a = function_args(args, r);
  IncomingCheck check = check_incoming(a["MessageId"], a["Subject"], a["From"], a["To"], a["Cc"]);
  return json_response(
      200, {{"@odata.context",
             r.base_url + "$metadata#Microsoft.Dynamics.CRM.CheckIncomingEmailResponse"},
            {"ShouldDeliver", check.deliver},
            {"ReasonCode", check.reason}});
}

SimResult<SimResponse> Api::deliver_incoming_email(const SimRequest& r) {
  auto body = parse_body(r);
  if (!body) return std::unexpected(body.error());
  auto text = [&](const char* key) {
    auto it = body->find(key);
    return it != body->end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  const std::string message_id = text("MessageId");
  IncomingCheck check =
      check_incoming(message_id, text("Subject"), text("From"), text("To"), text("Cc"));
  if (check.reason == 0)
    return sim_fail(config_.duplicate_status, codes::kDuplicateKey,
                    "Cannot insert duplicate key: a received email with messageid " + message_id +
                        " already exists.");
  if (body->value("ValidateBeforeCreate", false) && !check.deliver)
    return sim_fail(400, codes::kNotDelivered,
                    "The email was not delivered: CheckIncomingEmail reason " +
                        std::to_string(check.reason) + ".");

  json email{{"subject", text("Subject")},
             {"description", text("Body")},
             {"directioncode", false},
             {"messageid", message_id},
             {"sender", text("From")},
             {"torecipients", text("To")}};  // Cc: only the parties (no such column)
  if (!text("ReceivedOn").empty()) email["actualend"] = text("ReceivedOn");
  if (body->contains("Importance") && (*body)["Importance"].is_number())
    email["prioritycode"] = (*body)["Importance"];
  if (!check.correlated_email.empty()) {
    if (auto parent = store_.get(*entity_by_set("emails"), check.correlated_email)) {
      const std::string regarding = parent->value("_regardingobjectid_value", "");
      const std::string logical =
          parent->value("_regardingobjectid_value@Microsoft.Dynamics.CRM.lookuplogicalname", "");
      if (!regarding.empty() && entity_by_logical(logical))
        email["regardingobjectid_" + logical + "_email@odata.bind"] =
            std::string("/") + entity_by_logical(logical)->set + "(" + regarding + ")";
    }
  }
  json parties = json::array();
  int mask = 1;
  for (const char* field : {"From", "To", "Cc", "Bcc"}) {
    for (auto& address : addresses(text(field))) {
      json party{{"participationtypemask", mask}, {"addressused", address}};
      auto matches = resolve_address(address);
      if (!matches.empty())
        party["partyid_" + matches[0].first + "@odata.bind"] =
            std::string("/") + entity_by_logical(matches[0].first)->set + "(" +
            matches[0].second + ")";
      parties.push_back(std::move(party));
    }
    ++mask;
  }
  email["email_activity_parties"] = std::move(parties);
  auto id = insert_email(std::move(email));
  if (!id) return std::unexpected(id.error());
  const EntityInfo& emails = *entity_by_set("emails");
  if (auto stored = store_.get(emails, *id)) {  // delivered mail ends Completed/Received
    (*stored)["statecode"] = 1;
    (*stored)["statuscode"] = 4;
    store_.put(emails, *id, std::move(*stored));
  }
  if (body->contains("Attachments") && (*body)["Attachments"].is_array()) {
    for (auto attachment : (*body)["Attachments"]) {
      attachment.erase("@odata.type");
      attachment["objectid_email@odata.bind"] = "/emails(" + *id + ")";
      if (auto created = insert_attachment(attachment); !created)
        return std::unexpected(created.error());
    }
  }
  return json_response(
      200, {{"@odata.context",
             r.base_url + "$metadata#Microsoft.Dynamics.CRM.DeliverIncomingEmailResponse"},
            {"EmailId", *id},
            {"activityid", *id}});
}

}  // namespace crmr::sim
