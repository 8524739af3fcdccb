#include "storage/cache_rows.h"

#include <array>
#include <optional>
#include <variant>

#include <nlohmann/json.hpp>

#include "core/base/ascii.h"

namespace crmr {
namespace {

using nlohmann::json;

Error row_problem(std::string message) {
  return Error{Code::ImportBadRow, std::move(message), "", Scope::Message, Retry::Never};
}

std::string trimmed(std::string_view s) { return std::string(trim(s)); }

// A field's value: from a JSON object, or the text of a CSV field.
using Value = std::variant<const json*, std::string_view>;

std::string shown(const json& v) {
  std::string text = v.dump();
  return text.size() > 40 ? text.substr(0, 40) + "..." : text;
}

std::string shown(const Value& v) {
  if (const auto* j = std::get_if<const json*>(&v)) return shown(**j);
  return shown(json(std::string(std::get<std::string_view>(v))));
}

// Field `name` of the row; none when absent, null (JSON) or empty (CSV). Of
// CSV fields with the same name, the last one counts (as a JSON object's would).
std::optional<Value> field(const CacheRow& row, const char* name) {
  if (row.object) {
    auto it = row.object->find(name);
    if (it == row.object->end() || it->is_null()) return std::nullopt;
    return Value(&*it);
  }
  const auto& header = *row.header;
  const std::string_view wanted(name);  // measured once: compared by length first
  for (std::size_t i = header.size(); i-- > 0;) {
    if (header[i] != wanted) continue;
    if (i >= row.fields->size() || (*row.fields)[i].empty()) return std::nullopt;
    return Value(std::string_view((*row.fields)[i]));
  }
  return std::nullopt;
}

// The text of a string value, or nullptr.
const std::string_view* text_of(const Value& v, std::string_view& scratch) {
  if (const auto* s = std::get_if<std::string_view>(&v)) return s;
  const json& j = *std::get<const json*>(v);
  if (!j.is_string()) return nullptr;
  scratch = j.get_ref<const std::string&>();
  return &scratch;
}

Result<std::optional<std::string>> text(const CacheRow& row, const char* name) {
  auto v = field(row, name);
  if (!v) return std::nullopt;
  std::string_view scratch;
  if (const auto* s = text_of(*v, scratch)) return std::string(*s);
  const json& j = *std::get<const json*>(*v);
  if (j.is_number() || j.is_boolean()) return j.dump();
  return fail(row_problem(std::string(name) + ": expected text, got " + shown(*v)));
}

Result<std::optional<bool>> boolean(const CacheRow& row, const char* name) {
  auto v = field(row, name);
  if (!v) return std::nullopt;
  std::string_view scratch;
  if (const auto* t = text_of(*v, scratch)) {
    std::string s = ascii_lower(trimmed(*t));
    if (s.empty()) return std::nullopt;
    if (s == "true" || s == "1") return true;
    if (s == "false" || s == "0") return false;
  } else {
    const json& j = *std::get<const json*>(*v);
    if (j.is_boolean()) return j.get<bool>();
    if (j.is_number_integer() || j.is_number_unsigned()) {
      auto n = j.get<std::int64_t>();
      if (n == 0 || n == 1) return n == 1;
    }
  }
  return fail(row_problem(std::string(name) + ": expected a boolean (true, false, 1 or 0), got " +
                          shown(*v)));
}

Result<std::optional<std::int64_t>> integer(const CacheRow& row, const char* name) {
  auto v = field(row, name);
  if (!v) return std::nullopt;
  std::string_view scratch;
  if (const auto* t = text_of(*v, scratch)) {
    std::string s = trimmed(*t);
    if (s.empty()) return std::nullopt;
    std::size_t i = (s[0] == '-' || s[0] == '+') ? 1 : 0;
    bool digits = i < s.size() && s.size() - i <= 18;
    for (std::size_t k = i; digits && k < s.size(); ++k) digits = s[k] >= '0' && s[k] <= '9';
    if (digits) return std::stoll(s);
  } else {
    const json& j = *std::get<const json*>(*v);
    if (j.is_number_integer() || j.is_number_unsigned()) return j.get<std::int64_t>();
    if (j.is_number_float()) {
      double d = j.get<double>();
      if (d == static_cast<double>(static_cast<std::int64_t>(d))) return static_cast<std::int64_t>(d);
    }
  }
  return fail(row_problem(std::string(name) + ": expected an integer, got " + shown(*v)));
}

Result<std::string> required_id(const CacheRow& row, const char* name) {
  auto id = text(row, name);
  if (!id) return fail(id.error());
  const std::string_view t = *id ? trim(**id) : std::string_view();
  if (t.empty()) return fail(row_problem("missing " + std::string(name)));
  if (t.size() == (*id)->size()) return std::move(**id);  // nothing to trim: no copy
  return std::string(t);
}

// Items of a ;- or ,-separated list (addresses, prefixes, extensions), trimmed.
std::vector<std::string> split_items(const std::string& list) {
  std::vector<std::string> out;
  std::string item;
  auto flush = [&] {
    if (auto t = trimmed(item); !t.empty()) out.push_back(std::move(t));
    item.clear();
  };
  for (char c : list) {
    if (c == ';' || c == ',') {
      flush();
    } else {
      item += c;
    }
  }
  flush();
  return out;
}

// Applies the value of field `name`, if present, through `set`.
#define CRMR_TRY_FIELD(getter, name, set)                      \
  do {                                                          \
    auto value_ = getter(row, name);                            \
    if (!value_) return fail(value_.error());                   \
    if (*value_) set(std::move(**value_));                      \
  } while (false)

Status apply_org(Store& store, const CacheRow& row) {
  OrgSettings org = store.org();  // fields the row leaves out keep their values
  CRMR_TRY_FIELD(text, "trackingprefix",
                 [&](const std::string& v) { org.tracking_prefixes = split_items(v); });
  CRMR_TRY_FIELD(integer, "trackingtokenidbase", [&](std::int64_t v) { org.token_id_base = int(v); });
  CRMR_TRY_FIELD(integer, "trackingtokeniddigits",
                 [&](std::int64_t v) { org.token_id_digits = int(v); });
  CRMR_TRY_FIELD(integer, "maximumtrackingnumber",
                 [&](std::int64_t v) { org.max_tracking_number = int(v); });
  CRMR_TRY_FIELD(boolean, "emailcorrelationenabled", [&](bool v) { org.correlation_enabled = v; });
  CRMR_TRY_FIELD(boolean, "enablesmartmatching", [&](bool v) { org.smart_matching = v; });
  CRMR_TRY_FIELD(text, "hashfilterkeywords",
                 [&](const std::string& v) { org.hash_filter_keywords = v; });
  CRMR_TRY_FIELD(integer, "hashmaxcount", [&](std::int64_t v) { org.hash_max_count = int(v); });
  CRMR_TRY_FIELD(integer, "hashdeltasubjectcount",
                 [&](std::int64_t v) { org.hash_delta_subject_count = int(v); });
  CRMR_TRY_FIELD(integer, "hashminaddresscount",
                 [&](std::int64_t v) { org.hash_min_address_count = int(v); });
  CRMR_TRY_FIELD(boolean, "ignoreinternalemail", [&](bool v) { org.ignore_internal_email = v; });
  CRMR_TRY_FIELD(boolean, "unresolveemailaddressifmultiplematch",
                 [&](bool v) { org.unresolve_if_multiple_match = v; });
  CRMR_TRY_FIELD(integer, "maxuploadfilesize",
                 [&](std::int64_t v) { org.max_upload_file_size = v; });
  CRMR_TRY_FIELD(text, "blockedattachments",
                 [&](const std::string& v) { org.blocked_extensions = split_items(v); });
  return store.put_org(org);
}

// Users, queues, contacts, accounts and leads.
Status apply_record(Store& store, const std::string& entity, const CacheRow& row) {
  struct Shape {
    const char* entity;
    const char* id;
    const char* name;
  };
  static constexpr std::array<Shape, 5> shapes{{{"systemuser", "systemuserid", "fullname"},
                                                {"queue", "queueid", "name"},
                                                {"contact", "contactid", "fullname"},
                                                {"account", "accountid", "name"},
                                                {"lead", "leadid", "fullname"}}};
  const Shape* shape = nullptr;
  for (const auto& s : shapes)
    if (entity == s.entity) shape = &s;
  CrmRecord r;
  r.entity = entity;
  auto id = required_id(row, shape->id);
  if (!id) return fail(id.error());
  r.id = std::move(*id);
  CRMR_TRY_FIELD(text, shape->name, [&](std::string v) { r.name = std::move(v); });
  if (entity == "systemuser") {
    CRMR_TRY_FIELD(boolean, "isdisabled", [&](bool v) { r.active = !v; });
    CRMR_TRY_FIELD(text, "internalemailaddress",
                   [&](std::string v) { r.addresses.push_back(std::move(v)); });
  } else {
    CRMR_TRY_FIELD(integer, "statecode", [&](std::int64_t v) { r.active = v == 0; });
  }
  if (entity == "systemuser" || entity == "queue") {
    CRMR_TRY_FIELD(integer, "incomingemailfilteringmethod",
                   [&](std::int64_t v) { r.filtering_method = int(v); });
  }
  if (entity == "queue") {
    CRMR_TRY_FIELD(text, "emailaddress", [&](std::string v) { r.addresses.push_back(std::move(v)); });
  } else if (entity != "systemuser") {
    for (const char* name : {"emailaddress1", "emailaddress2", "emailaddress3"})
      CRMR_TRY_FIELD(text, name, [&](std::string v) { r.addresses.push_back(std::move(v)); });
  }
  return store.upsert_record(r);
}

Status apply_email(Store& store, const CacheRow& row) {
  TrackedEmail e;
  auto id = required_id(row, "activityid");
  if (!id) return fail(id.error());
  e.activity_id = std::move(*id);
  CRMR_TRY_FIELD(text, "messageid", [&](std::string v) { e.message_id = std::move(v); });
  CRMR_TRY_FIELD(text, "trackingtoken", [&](std::string v) { e.tracking_token = std::move(v); });
  CRMR_TRY_FIELD(text, "conversationindex",
                 [&](std::string v) { e.conversation_index = std::move(v); });
  CRMR_TRY_FIELD(text, "subject", [&](std::string v) { e.subject = std::move(v); });
  CRMR_TRY_FIELD(boolean, "directioncode", [&](bool v) { e.outgoing = v; });
  CRMR_TRY_FIELD(text, "modifiedon", [&](std::string v) { e.modified = std::move(v); });
  // Plain names, or the Web API's lookup value and its annotation.
  CRMR_TRY_FIELD(text, "_regardingobjectid_value", [&](std::string v) { e.regarding_id = std::move(v); });
  CRMR_TRY_FIELD(text, "regardingobjectid", [&](std::string v) { e.regarding_id = std::move(v); });
  CRMR_TRY_FIELD(text, "_regardingobjectid_value@Microsoft.Dynamics.CRM.lookuplogicalname",
                 [&](std::string v) { e.regarding_entity = std::move(v); });
  CRMR_TRY_FIELD(text, "regardingobjecttype",
                 [&](std::string v) { e.regarding_entity = std::move(v); });
  for (const char* name : {"torecipients", "ccrecipients"}) {
    CRMR_TRY_FIELD(text, name, [&](const std::string& v) {
      for (auto& a : split_items(v)) e.recipients.push_back(std::move(a));
    });
  }
  if (!e.regarding_id.empty() && e.regarding_entity.empty())
    return fail(row_problem("regardingobjectid given without regardingobjecttype"));
  return store.upsert_tracked(e);
}

#undef CRMR_TRY_FIELD

}  // namespace

bool is_cache_entity(std::string_view entity) {
  for (std::string_view e : {"organization", "systemuser", "queue", "contact", "account", "lead",
                             "email"})
    if (entity == e) return true;
  return false;
}

const char* cache_entity_list() {
  return "organization, systemuser, queue, contact, account, lead or email";
}

Status apply_cache_row(Store& store, const std::string& entity, const json& object) {
  if (!object.is_object()) return fail(row_problem("expected a JSON object, got " + shown(object)));
  return apply_cache_row(store, entity, CacheRow{&object, nullptr, nullptr});
}

Status apply_cache_row(Store& store, const std::string& entity, const CacheRow& row) {
  if (entity == "organization") return apply_org(store, row);
  if (entity == "email") return apply_email(store, row);
  if (is_cache_entity(entity)) return apply_record(store, entity, row);
  return fail(row_problem("unknown entity \"" + entity + "\" (expected " +
                          cache_entity_list() + ")"));
}

}  // namespace crmr
