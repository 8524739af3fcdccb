#include "core/crm/dataverse_duplicate_lookup.h"

#include <set>
#include <utility>

#include "core/crm/dataverse_request.h"
#include "core/crm/dataverse_sink.h"

namespace crmr::dataverse {
namespace {

std::string lower_ascii(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

Error bad_response(const std::string& what, const std::string& why) {
  return Error{Code::CrmBadResponse, what + ": " + why, "", Scope::Message, Retry::Later};
}

std::string filter_of(const std::vector<std::string>& ids, std::size_t first, std::size_t count,
                      LookupSyntax syntax) {
  std::string f;
  if (syntax == LookupSyntax::Or) {
    for (std::size_t i = first; i < first + count; ++i)
      f += (i == first ? "" : " or ") + std::string("messageid eq ") + odata_string(ids[i]);
    return f;
  }
  f = "Microsoft.Dynamics.CRM.In(PropertyName='messageid',PropertyValues=[";
  for (std::size_t i = first; i < first + count; ++i) f += (i == first ? "" : ",") + odata_string(ids[i]);
  return f + "])";
}

std::string query_of(const std::string& filter) {
  return "emails?$select=activityid,statecode,messageid,directioncode&$filter=" + url_encode(filter);
}

}  // namespace

std::string duplicate_lookup_query(const std::vector<std::string>& ids, LookupSyntax syntax) {
  return query_of(filter_of(ids, 0, ids.size(), syntax));
}

std::size_t lookup_chunk(const std::vector<std::string>& ids, std::size_t first, LookupSyntax syntax,
                         std::size_t base_length, std::size_t url_limit, std::size_t max_messages) {
  std::size_t n = 1;
  while (first + n < ids.size() && n < max_messages &&
         base_length + query_of(filter_of(ids, first, n + 1, syntax)).size() <= url_limit)
    ++n;
  return first < ids.size() ? n : 0;
}

Result<LookupAnswer> parse_lookup_answer(const HttpResponse& resp, const std::string& what) {
  auto j = parse_json(resp.body, what);
  if (!j) return std::unexpected(j.error());
  if (!j->is_object() || !j->contains("value") || !(*j)["value"].is_array())
    return std::unexpected(bad_response(what, "the CRM's answer has no \"value\" list"));
  LookupAnswer a;
  a.complete = !j->contains("@odata.nextLink");
  for (const auto& row : (*j)["value"]) {
    if (!row.is_object() || !row.contains("activityid") || !row["activityid"].is_string() ||
        !row.contains("messageid") || !row["messageid"].is_string())
      return std::unexpected(bad_response(what, "a found e-mail without activityid or messageid"));
    LookupAnswer::Row r;
    r.email.activity_id = row["activityid"].get<std::string>();
    if (row.contains("statecode") && row["statecode"].is_number_integer())
      r.email.statecode = row["statecode"].get<int>();
    if (row.contains("directioncode") && row["directioncode"].is_boolean())
      r.directioncode = row["directioncode"].get<bool>();
    a.rows[lower_ascii(row["messageid"].get<std::string>())].push_back(std::move(r));
  }
  return a;
}

std::optional<FoundEmail> found_in(const LookupAnswer& a, std::string_view message_id, bool received_only) {
  auto it = a.rows.find(lower_ascii(message_id));
  if (it == a.rows.end()) return std::nullopt;
  for (const auto& r : it->second)
    if (!received_only || r.directioncode == false) return r.email;
  return std::nullopt;
}

DuplicateLookahead::DuplicateLookahead(Session& s, const std::vector<PushMessage>& msgs,
                                       std::function<void()> on_answer)
    : s_(s), msgs_(msgs), on_answer_(std::move(on_answer)), items_(msgs.size()) {
  off_ = s_.options().duplicate_lookup == LookupSyntax::Single;
  std::set<std::string> seen;
  for (std::size_t i = 0; i < msgs_.size(); ++i) {
    Item& it = items_[i];
    if (off_) {
      it.state = State::Single;
      continue;
    }
    auto key = message_key(msgs_[i], s_.options().limits);
    if (!key || !seen.insert(lower_ascii(key->message_id)).second) {
      it.state = State::Single;
      continue;
    }
    it.message_id = std::move(key->message_id);
    it.received_only = key->received_only;
  }
}

void DuplicateLookahead::advance(std::size_t next, std::size_t window) {
  const std::size_t base = s_.options().api_url.size();
  while (!off_ && in_flight_ < kLookupsInFlight && ahead_ < items_.size() &&
         ahead_ < next + window + kLookupMessages) {
    // The chunk: the next messages still to be looked up, skipping single ones.
    while (ahead_ < items_.size() && items_[ahead_].state == State::Single) ++ahead_;
    if (ahead_ >= items_.size()) break;
    std::vector<std::string> ids;
    std::size_t i = ahead_;
    for (; i < items_.size() && ids.size() < kLookupMessages; ++i)
      if (items_[i].state == State::Ahead) ids.push_back(items_[i].message_id);
    const std::size_t n = lookup_chunk(ids, 0, s_.options().duplicate_lookup, base);
    std::size_t first = ahead_, taken = 0;
    for (i = ahead_; i < items_.size() && taken < n; ++i)
      if (items_[i].state == State::Ahead) ++taken;
    ahead_ = i;
    send(first, i - first);
  }
}

void DuplicateLookahead::send(std::size_t first, std::size_t count) {
  std::vector<std::string> ids;
  for (std::size_t i = first; i < first + count; ++i)
    if (items_[i].state == State::Ahead) {
      items_[i].state = State::Asked;
      ids.push_back(items_[i].message_id);
    }
  HttpRequest req;
  req.url = duplicate_lookup_query(ids, s_.options().duplicate_lookup);
  req.label = "duplicate check of " + std::to_string(ids.size()) + " message(s)";
  const std::string label = req.label;
  ++in_flight_;
  ++lookups_;
  s_.send(std::move(req), true, [this, first, count, label](Result<HttpResponse> r) {
    --in_flight_;
    Result<LookupAnswer> a = r ? parse_lookup_answer(*r, label) : Result<LookupAnswer>(std::unexpected(r.error()));
    // A refused query (a CRM that does not know the syntax) will be refused
    // again: the rest of the run checks singly.
    if (!r && r.error().retry == Retry::Never) off_ = true;
    for (std::size_t i = first; i < first + count; ++i) {
      Item& it = items_[i];
      if (it.state != State::Asked) continue;
      it.found = a ? found_in(*a, it.message_id, it.received_only) : std::nullopt;
      it.state = a && (a->complete || it.found) ? State::Known : State::Single;
    }
    if (off_)
      for (std::size_t i = ahead_; i < items_.size(); ++i) items_[i].state = State::Single;
    on_answer_();
  });
}

std::optional<DuplicateLookahead::Answer> DuplicateLookahead::answer(std::size_t i) const {
  const Item& it = items_[i];
  switch (it.state) {
    case State::Single: return Answer{true, std::nullopt};
    case State::Known: return Answer{false, it.found};
    default: return std::nullopt;
  }
}

// The single lookup behind CrmReader::find_by_message_id.
Result<std::optional<std::string>> parse_found_id(const HttpResponse& resp, const std::string& what) {
  auto j = parse_json(resp.body, what);
  if (!j) return std::unexpected(j.error());
  if (!j->is_object() || !j->contains("value") || !(*j)["value"].is_array())
    return fail(Code::CrmBadResponse, what + ": the CRM's answer has no \"value\" list");
  const auto& v = (*j)["value"];
  if (v.empty()) return std::optional<std::string>{};
  if (!v[0].is_object() || !v[0].contains("activityid") || !v[0]["activityid"].is_string())
    return fail(Code::CrmBadResponse, what + ": a found e-mail without activityid");
  return std::optional<std::string>{v[0]["activityid"].get<std::string>()};
}

Result<std::optional<std::string>> DataverseReader::find_by_message_id(const std::string& message_id) {
  HttpRequest req;
  req.url = message_id_query(message_id);
  req.label = "duplicate check of " + message_id;
  auto r = s_.send_now(std::move(req));
  if (!r) return std::unexpected(r.error());
  return parse_found_id(*r, "duplicate check of " + message_id);
}

}  // namespace crmr::dataverse
