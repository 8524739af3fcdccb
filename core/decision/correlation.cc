#include "core/decision/correlation.h"

#include <algorithm>
#include <iterator>
#include <set>
#include <string>

#include "core/base/normalize.h"
#include "core/decision/tracking_token.h"

namespace crmr {
namespace {

std::string activity(const TrackedEmail& t) {
  std::string out = "tracked e-mail activity " + t.activity_id;
  if (t.outgoing) out += " (sent by the CRM)";
  return out;
}

std::optional<CorrelationHit> by_references(const Message& msg, const CacheView& cache,
                                            std::vector<Step>& steps) {
  Step step{"correlation.in_reply_to", false, {}};
  // In-Reply-To first, then References from the newest (last) to the oldest.
  std::vector<std::pair<const char*, std::string>> ids;
  for (const auto& id : msg.in_reply_to) ids.emplace_back("In-Reply-To", id);
  for (auto it = msg.references.rbegin(); it != msg.references.rend(); ++it)
    ids.emplace_back("References", *it);

  const std::string own = normalize_message_id(msg.message_id);
  std::set<std::string> seen;
  for (const auto& [header, raw] : ids) {
    std::string id = normalize_message_id(raw);
    if (id.empty() || id == own || !seen.insert(id).second) continue;
    if (auto tracked = cache.tracked_by_message_id(id)) {
      step.fired = true;
      step.detail = std::string(header) + " <" + id + "> is " + activity(*tracked);
      steps.push_back(step);
      return CorrelationHit{Correlation::InReplyTo, std::move(*tracked)};
    }
  }
  step.detail = seen.empty() ? "no In-Reply-To or References header"
                             : "none of the " + std::to_string(seen.size()) +
                                   " Message-ID(s) in In-Reply-To/References is tracked "
                                   "by the CRM";
  steps.push_back(step);
  return std::nullopt;
}

std::string prefix_list(const OrgSettings& org) {
  std::string out;
  for (const auto& p : org.tracking_prefixes) out += (out.empty() ? "" : ", ") + p;
  return out.empty() ? "(none configured)" : out;
}

std::optional<CorrelationHit> by_token(const Message& msg, const CacheView& cache,
                                       const OrgSettings& org, std::vector<Step>& steps) {
  Step step{"correlation.tracking_token", false, {}};
  auto token = find_tracking_token(msg.subject, org);
  if (!token) {
    step.detail = "no tracking token with prefix " + prefix_list(org) + " in the subject";
    steps.push_back(step);
    return std::nullopt;
  }
  const std::string normalized = token->normalized();
  if (auto tracked = cache.tracked_by_token(normalized)) {
    step.fired = true;
    step.detail = "subject token " + normalized + " is that of " + activity(*tracked);
    steps.push_back(step);
    return CorrelationHit{Correlation::TrackingToken, std::move(*tracked)};
  }
  step.detail = "NoCorrelationMatch: subject token " + normalized +
                " matches no tracked e-mail";
  steps.push_back(step);
  return std::nullopt;
}

std::optional<CorrelationHit> by_conversation(const Message& msg, const CacheView& cache,
                                              std::vector<Step>& steps) {
  Step step{"correlation.conversation_index", false, {}};
  if (msg.thread_index.empty()) {
    step.detail = "no Thread-Index header";
    steps.push_back(step);
    return std::nullopt;
  }
  auto key = conversation_key(msg.thread_index);
  if (!key) {
    step.detail = "Thread-Index \"" + msg.thread_index +
                  "\" is not base64 of at least 22 bytes; no conversation to match";
    steps.push_back(step);
    return std::nullopt;
  }
  if (auto tracked = cache.tracked_by_conversation(*key)) {
    step.fired = true;
    step.detail = "Thread-Index conversation " + *key + " is that of " + activity(*tracked);
    steps.push_back(step);
    return CorrelationHit{Correlation::ConversationIndex, std::move(*tracked)};
  }
  step.detail = "Thread-Index conversation " + *key + " matches no tracked e-mail";
  steps.push_back(step);
  return std::nullopt;
}

std::size_t symmetric_difference_size(const std::vector<std::int32_t>& a,
                                      const std::vector<std::int32_t>& b) {
  std::vector<std::int32_t> out;
  std::set_symmetric_difference(a.begin(), a.end(), b.begin(), b.end(),
                                std::back_inserter(out));
  return out.size();
}

std::size_t intersection_size(const std::vector<std::int32_t>& a,
                              const std::vector<std::int32_t>& b) {
  std::vector<std::int32_t> out;
  std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out.size();
}

std::optional<CorrelationHit> by_smart_match(const Message& msg, const CacheView& cache,
                                             const OrgSettings& org,
                                             std::vector<Step>& steps) {
  Step step{"correlation.smart_match", false, {}};
  const auto subject =
      subject_hashes(msg.subject, org.hash_filter_keywords, org.hash_max_count);
  if (subject.empty()) {
    step.detail = "the subject has no words to hash";
    steps.push_back(step);
    return std::nullopt;
  }
  std::vector<std::string> addresses;
  for (const auto* list : {&msg.from, &msg.to, &msg.cc})
    for (const auto& a : *list)
      if (!a.address.empty()) addresses.push_back(a.address);
  const auto mine = address_hashes(addresses, org.hash_max_count);

  const auto candidates = cache.tracked_by_subject_hashes(subject);
  const TrackedEmail* best = nullptr;
  std::size_t best_addresses = 0, best_delta = 0;
  for (const auto& c : candidates) {
    auto delta = symmetric_difference_size(
        subject, subject_hashes(c.subject, org.hash_filter_keywords, org.hash_max_count));
    if (delta > static_cast<std::size_t>(std::max(0, org.hash_delta_subject_count))) continue;
    auto matches = intersection_size(mine, address_hashes(c.recipients, org.hash_max_count));
    if (matches < static_cast<std::size_t>(std::max(0, org.hash_min_address_count))) continue;
    // Most address matches, then fewest subject differences, then the cache's order.
    if (!best || matches > best_addresses ||
        (matches == best_addresses && delta < best_delta)) {
      best = &c;
      best_addresses = matches;
      best_delta = delta;
    }
  }
  const std::string limits = "allowed subject differences " +
                             std::to_string(org.hash_delta_subject_count) +
                             ", minimum address matches " +
                             std::to_string(org.hash_min_address_count);
  if (!best) {
    step.detail = candidates.empty()
                      ? "no tracked e-mail shares a subject word"
                      : std::to_string(candidates.size()) +
                            " tracked e-mail(s) share subject words, none close enough (" +
                            limits + ")";
    steps.push_back(step);
    return std::nullopt;
  }
  step.fired = true;
  step.detail = "subject \"" + best->subject + "\" of " + activity(*best) + " differs by " +
                std::to_string(best_delta) + " word hash(es) and shares " +
                std::to_string(best_addresses) + " address(es) (" + limits + ")";
  steps.push_back(step);
  return CorrelationHit{Correlation::SmartMatch, *best};
}

void switched_off(std::vector<Step>& steps, const char* rule, const char* by) {
  steps.push_back(Step{rule, false, std::string("switched off by ") + by});
}

}  // namespace

std::optional<CorrelationHit> correlate(const Message& msg, const CacheView& cache,
                                        const OrgSettings& org, const Policy& policy,
                                        std::vector<Step>& steps) {
  if (!org.correlation_enabled) {
    steps.push_back(Step{"correlation", false,
                         "e-mail correlation is switched off in the organisation settings "
                         "(emailcorrelationenabled)"});
    return std::nullopt;
  }
  if (!policy.correlate_in_reply_to) {
    switched_off(steps, "correlation.in_reply_to", "the policy");
  } else if (auto hit = by_references(msg, cache, steps)) {
    return hit;
  }
  if (!policy.correlate_tracking_token) {
    switched_off(steps, "correlation.tracking_token", "the policy");
  } else if (auto hit = by_token(msg, cache, org, steps)) {
    return hit;
  }
  if (!policy.correlate_conversation_index) {
    switched_off(steps, "correlation.conversation_index", "the policy");
  } else if (auto hit = by_conversation(msg, cache, steps)) {
    return hit;
  }
  if (policy.smart_matching.has_value() ? !*policy.smart_matching : !org.smart_matching) {
    switched_off(steps, "correlation.smart_match",
                 policy.smart_matching.has_value()
                     ? "the policy"
                     : "the organisation settings (enablesmartmatching)");
    return std::nullopt;
  }
  return by_smart_match(msg, cache, org, steps);
}

}  // namespace crmr
