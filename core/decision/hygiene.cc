#include "core/decision/hygiene.h"

#include <string_view>

#include "core/base/normalize.h"
#include "core/base/ascii.h"

namespace crmr {
namespace {

bool iequal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && ascii_lower(a) == ascii_lower(b);
}

// A header's keyword: the value up to the first ';', '(' or space, lower-cased
// ("auto-replied (vacation)" -> "auto-replied").
std::string keyword(std::string_view value) {
  value = trim(value);
  auto end = value.find_first_of(";( \t");
  return ascii_lower(trim(value.substr(0, end)));
}

// The parsed field when the parser filled it, else the first header of that name.
std::string field_or_header(const Message& msg, const std::string& field,
                            std::string_view name) {
  if (!field.empty()) return field;
  for (const auto& h : msg.headers)
    if (iequal(h.name, name)) return h.value;
  return {};
}

std::optional<std::string> mail_loop(const Message& msg, const Policy& policy,
                                     std::vector<Step>& steps) {
  int received = 0;
  std::string loop_value;
  const std::string mailbox = normalize_address(policy.role.address);
  for (const auto& h : msg.headers) {
    if (iequal(h.name, "Received")) ++received;
    if (!mailbox.empty() && loop_value.empty() && iequal(h.name, "X-Loop") &&
        ascii_lower(h.value).find(mailbox) != std::string::npos)
      loop_value = std::string(trim(h.value));
  }
  Step step{"hygiene.mail_loop", false, {}};
  if (received > policy.max_received_headers) {
    step.fired = true;
    step.detail = std::to_string(received) + " Received headers, more than the limit of " +
                  std::to_string(policy.max_received_headers) + ": a mail loop";
  } else if (!loop_value.empty()) {
    step.fired = true;
    step.detail = "X-Loop: " + loop_value + " names this mailbox (" + mailbox +
                  "): the message has been here before";
  } else {
    step.detail = std::to_string(received) + " Received headers (limit " +
                  std::to_string(policy.max_received_headers) + ")" +
                  (mailbox.empty() ? std::string()
                                   : ", no X-Loop header naming " + mailbox);
  }
  steps.push_back(step);
  if (step.fired) return "MailLoop";
  return std::nullopt;
}

std::optional<std::string> delivery_report(const Message& msg, const Policy& policy,
                                           std::vector<Step>& steps) {
  Step step{"hygiene.delivery_report", false, {}};
  if (!msg.is_delivery_status) {
    step.detail = "not a delivery-status report";
  } else if (!policy.reject_delivery_reports) {
    step.detail = "a delivery-status report (bounce), kept because the policy does not "
                  "reject delivery reports";
  } else {
    step.fired = true;
    step.detail = "a delivery-status report (multipart/report or message/delivery-status "
                  "part): a bounce, not customer mail";
  }
  steps.push_back(step);
  if (step.fired) return "DeliveryReport";
  return std::nullopt;
}

std::optional<std::string> auto_reply(const Message& msg, const Policy& policy,
                                      std::vector<Step>& steps) {
  const std::string auto_submitted =
      std::string(trim(field_or_header(msg, msg.auto_submitted, "Auto-Submitted")));
  const std::string x_autoreply =
      std::string(trim(field_or_header(msg, msg.x_autoreply, "X-Autoreply")));
  const std::string precedence =
      std::string(trim(field_or_header(msg, msg.precedence, "Precedence")));

  std::string why;
  if (!auto_submitted.empty() && keyword(auto_submitted) != "no")
    why = "Auto-Submitted: " + auto_submitted;
  else if (!x_autoreply.empty() && keyword(x_autoreply) != "no")
    why = "X-Autoreply: " + x_autoreply;
  else if (keyword(precedence) == "auto_reply" || keyword(precedence) == "auto-reply")
    why = "Precedence: " + precedence;

  Step step{"hygiene.auto_reply", false, {}};
  if (why.empty()) {
    step.detail = "no Auto-Submitted (other than \"no\"), X-Autoreply or "
                  "Precedence: auto_reply header";
  } else if (!policy.reject_auto_replies) {
    step.detail = why + " marks an auto-reply, kept because the policy does not reject "
                        "auto-replies";
  } else {
    step.fired = true;
    step.detail = why + " marks an automatic reply";
  }
  steps.push_back(step);
  if (step.fired) return "AutoReply";
  return std::nullopt;
}

}  // namespace

std::optional<std::string> check_hygiene(const Message& msg, const Policy& policy,
                                         std::vector<Step>& steps) {
  if (auto r = mail_loop(msg, policy, steps)) return r;
  if (auto r = delivery_report(msg, policy, steps)) return r;
  return auto_reply(msg, policy, steps);
}

}  // namespace crmr
