// Creating e-mails (deep insert with activity parties and regarding bind),
// their field limits and duplicate constraint, and state changes.
#include "sim_api.h"

namespace crmr::sim {
namespace {

// The e-mail table's read-only columns (IsValidForCreate and
// IsValidForUpdate false in its metadata): Dataverse refuses them in a create.
constexpr const char* kReadOnly[] = {
    "activitytypecode", "attachmentcount", "compressed", "conversationindex", "correlationmethod",
    "createdby", "createdon", "createdonbehalfby", "descriptionblobid", "descriptionblobid_name",
    "emailreminderstatus", "emailsender", "emailsenderobjecttypecode", "exchangerate", "inreplyto",
    "isemailfollowed", "isemailreminderset", "isregularactivity", "issafedescriptiontruncated",
    "isunsafe", "modifiedby", "modifiedon", "modifiedonbehalfby", "onholdtime", "owneridname",
    "owneridyominame", "owningbusinessunit", "owningteam", "owninguser",
    "postponeemailprocessinguntil", "replycount", "safedescription", "scheduleddurationminutes",
    "sendermailboxid", "sendersaccount", "sendersaccountobjecttypecode", "senton", "slainvokedid",
    "versionnumber"};

// Single-valued navigation properties of an e-mail a create may bind, with the
// entity each takes ("" any the simulator holds) and its lookup column, as the
// Web API's $metadata names them. acceptingentityid is the queue's: the
// systemuser relationship has the same name and the metadata keeps one.
// Regarding binds (regardingobjectid_<entity>_email) are checked on their own.
struct CreateBind {
  const char* name;
  const char* target;
  const char* column;
};
constexpr CreateBind kCreateBinds[] = {
    {"CorrelatedActivityId_Email", "email", "correlatedactivityid"},
    {"parentactivityid", "email", "parentactivityid"},
    {"acceptingentityid", "queue", "acceptingentityid"},
    {"ownerid", "systemuser", "ownerid"},
    {"transactioncurrencyid", "", "transactioncurrencyid"},
    {"templateid", "", "templateid"},
    {"ReceivingMailboxId_Email", "", "receivingmailboxid"},
    {"sla_email_sla", "", "slaid"}};
// ...and the read-only ones (the platform sets them).
constexpr const char* kReadOnlyBinds[] = {
    "createdby",          "createdonbehalfby",   "modifiedby",        "modifiedonbehalfby",
    "owningbusinessunit", "owningteam",          "owninguser",        "emailsender_account",
    "emailsender_contact", "emailsender_queue",  "emailsender_systemuser", "sendermailboxid",
    "sendersaccount",     "slainvokedid_email_sla", "descriptionblobid_email"};

bool is_read_only(std::string_view field) {
  for (const char* f : kReadOnly)
    if (field == f) return true;
  return false;
}

SimError not_valid_for_create(const std::string& field) {
  return {400, codes::kReadOnlyField,
          "The '" + field + "' attribute of email is not valid for create (IsValidForCreate is false)."};
}

// The create bind `name`, or why it is refused.
SimResult<CreateBind> create_bind(const std::string& name) {
  for (const CreateBind& bind : kCreateBinds)
    if (name == bind.name) return bind;
  for (const char* bind : kReadOnlyBinds)
    if (name == bind) return std::unexpected(not_valid_for_create(name));
  return sim_fail(400, codes::kBadQuery,
                  "An undeclared property '" + name +
                      "' which only has property annotations in the payload but no property value was "
                      "found in the payload. In OData, only declared navigation properties and declared "
                      "named streams can be represented as properties without values.");
}

std::size_t code_points(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

SimResult<bool> check_length(const json& data, const char* field, std::size_t limit) {
  auto it = data.find(field);
  if (it == data.end() || !it->is_string()) return true;
  if (code_points(it->get<std::string>()) <= limit) return true;
  return sim_fail(400, codes::kLengthExceeded,
                  std::string("A validation error occurred. The length of the '") + field +
                      "' attribute of the 'email' entity exceeded the maximum allowed length of '" +
                      std::to_string(limit) + "'.");
}

// Valid statuscode values per statecode of an e-mail activity.
bool valid_state(int state, int status) {
  switch (state) {
    case 0: return status == 1 || status == 8;
    case 1: return status == 2 || status == 3 || status == 4 || status == 6 || status == 7;
    case 2: return status == 5;
    default: return false;
  }
}

int default_status(int state) { return state == 0 ? 1 : state == 1 ? 2 : 5; }

int state_of_status(int status) {
  if (status == 1 || status == 8) return 0;
  if (status == 5) return 2;
  return 1;
}

// Applies statecode/statuscode from `body` to `data`; 400 on a bad pair.
SimResult<bool> apply_state(const json& body, json& data) {
  bool has_state = body.contains("statecode"), has_status = body.contains("statuscode");
  if (!has_state && !has_status) return true;
  int state = has_state ? body["statecode"].get<int>() : -1;
  int status = has_status ? body["statuscode"].get<int>() : -1;
  if (!has_state) state = state_of_status(status);
  if (!has_status) status = default_status(state);
  if (!valid_state(state, status))
    return sim_fail(400, codes::kInvalidState,
                    std::to_string(status) + " is not a valid status code for state code " +
                        std::to_string(state) + " on email.");
  data["statecode"] = state;
  data["statuscode"] = status;
  return true;
}

}  // namespace

SimResult<json> Api::parse_body(const SimRequest& r) {
  json body = json::parse(r.body, nullptr, false);
  if (body.is_discarded() || !body.is_object())
    return sim_fail(400, codes::kBadQuery, "The request body is not a JSON object.");
  return body;
}

SimError Api::missing(const std::string& logical, const std::string& id) const {
  return {config_.missing_bind_status, codes::kDoesNotExist,
          logical + " With Id = " + id + " Does Not Exist"};
}

// `key` is "<name>@odata.bind"; `expect_logical` (if given) is the entity the
// bind name demands. Checks the target exists. Returns (logical, id).
SimResult<std::pair<std::string, std::string>> Api::resolve_bind(const std::string& key,
                                                                 const json& value,
                                                                 const char* expect_logical) {
  if (!value.is_string())
    return sim_fail(400, codes::kBadQuery, key + ": expected an entity reference string");
  auto ref = parse_entity_ref(value.get<std::string>());
  if (!ref)
    return sim_fail(400, codes::kBadQuery,
                    key + ": malformed entity reference '" + value.get<std::string>() + "'");
  const EntityInfo* target = entity_by_set(ref->first);
  if (!target) return sim_fail(400, codes::kBadQuery, key + ": unknown entity set " + ref->first);
  std::string logical = target->logical;
  if (logical == "activitypointer") {
    target = entity_by_set("emails");
    logical = "email";
  }
  if (expect_logical && logical != expect_logical)
    return sim_fail(400, codes::kBadQuery,
                    key + ": the bind names " + expect_logical + " but refers to " + ref->first);
  if (!store_.exists(*target, ref->second)) return std::unexpected(missing(logical, ref->second));
  return std::pair{logical, ref->second};
}

SimResult<std::string> Api::insert_email(json body) {
  json parties = json::array();
  if (auto it = body.find("email_activity_parties"); it != body.end()) {
    if (!it->is_array())
      return sim_fail(400, codes::kBadQuery, "email_activity_parties must be an array");
    parties = *it;
    body.erase(it);
  }
  std::string id = new_guid();
  if (auto it = body.find("activityid"); it != body.end()) {
    if (!it->is_string() || !is_guid(it->get<std::string>()))
      return sim_fail(400, codes::kInvalidArgument, "activityid must be a GUID");
    id = lower(it->get<std::string>());
    if (store_.exists(*entity_by_set("emails"), id))
      return sim_fail(config_.duplicate_status, codes::kDuplicateKey, "Cannot insert duplicate key.");
  }

  json data = json::object();
  for (auto& [k, v] : body.items()) {
    if (k.ends_with("@odata.bind")) {
      const std::string name = k.substr(0, k.find('@'));
      if (name.starts_with("regardingobjectid_")) {
        // regardingobjectid_<entity>_email
        std::string entity = name.substr(18);
        if (!entity.ends_with("_email") || !is_regarding_entity(entity.substr(0, entity.size() - 6)))
          return sim_fail(400, codes::kBadQuery, "unknown regarding bind '" + k + "'");
        entity.resize(entity.size() - 6);
        auto ref = resolve_bind(k, v, entity.c_str());
        if (!ref) return std::unexpected(ref.error());
        data["_regardingobjectid_value"] = ref->second;
        data["_regardingobjectid_value@Microsoft.Dynamics.CRM.lookuplogicalname"] = ref->first;
      } else {
        auto bind = create_bind(name);
        if (!bind) {
          if (bind.error().code != codes::kReadOnlyField || !config_.accept_readonly)
            return std::unexpected(bind.error());
          ++ignored_readonly_;
          continue;
        }
        auto ref = resolve_bind(k, v, *bind->target ? bind->target : nullptr);
        if (!ref) return std::unexpected(ref.error());
        const std::string column = bind->column;
        data["_" + column + "_value"] = ref->second;
        data["_" + column + "_value@Microsoft.Dynamics.CRM.lookuplogicalname"] = ref->first;
      }
      continue;
    }
    if (k.find('@') != std::string::npos) continue;  // an annotation (@odata.type, ...)
    if (is_read_only(k)) {
      if (!config_.accept_readonly) return std::unexpected(not_valid_for_create(k));
      ++ignored_readonly_;
      continue;
    }
    if (k == "statecode" || k == "statuscode") continue;
    if (!is_email_column(k))
      return sim_fail(400, codes::kBadQuery,
                      "Invalid property '" + k + "' was found in entity 'Microsoft.Dynamics.CRM.email'.");
    data[k] = v;
  }
  for (auto [field, limit] : {std::pair{"subject", 800}, {"messageid", 320}, {"trackingtoken", 50}})
    if (auto ok = check_length(data, field, static_cast<std::size_t>(limit)); !ok)
      return std::unexpected(ok.error());

  data["statecode"] = 0;
  data["statuscode"] = 1;
  if (body.contains("statecode") || body.contains("statuscode")) {
    if (config_.reject_state_on_create)
      return sim_fail(400, codes::kInvalidState,
                      "statecode/statuscode cannot be set when an email is created; use a "
                      "follow-up update.");
    if (auto ok = apply_state(body, data); !ok) return std::unexpected(ok.error());
  }
  if (!data.contains("directioncode")) data["directioncode"] = true;
  const bool incoming = data["directioncode"].is_boolean() && !data["directioncode"].get<bool>();
  if (incoming && data.contains("messageid") && data["messageid"].is_string() &&
      !data["messageid"].get<std::string>().empty()) {
    if (auto dup = store_.incoming_email_by_messageid(data["messageid"].get<std::string>()))
      return sim_fail(config_.duplicate_status, codes::kDuplicateKey,
                      "Cannot insert duplicate key: a received email with messageid " +
                          data["messageid"].get<std::string>() + " already exists (" + *dup + ").");
  }

  struct Party {
    int mask;
    std::string logical, id, address;
  };
  std::vector<Party> resolved;
  for (auto& p : parties) {
    if (!p.is_object()) return sim_fail(400, codes::kBadQuery, "an activity party must be an object");
    Party party{p.value("participationtypemask", 0), "", "", ""};
    if (party.mask < 1 || party.mask > 4)
      return sim_fail(400, codes::kInvalidArgument,
                      "participationtypemask must be 1 (from), 2 (to), 3 (cc) or 4 (bcc) for an "
                      "email, got " + std::to_string(party.mask));
    for (auto& [k, v] : p.items()) {
      if (k == "addressused") {
        party.address = v.is_string() ? v.get<std::string>() : "";
      } else if (k.ends_with("@odata.bind")) {
        if (!k.starts_with("partyid_") || !party.id.empty())
          return sim_fail(400, codes::kBadQuery, "unexpected party bind '" + k + "'");
        std::string logical = k.substr(8, k.find('@') - 8);
        if (!is_party_entity(logical))
          return sim_fail(400, codes::kBadQuery, "a party cannot be a " + logical);
        auto ref = resolve_bind(k, v, logical.c_str());
        if (!ref) return std::unexpected(ref.error());
        party.logical = ref->first;
        party.id = ref->second;
      } else if (k != "participationtypemask") {
        return sim_fail(400, codes::kBadQuery, "unknown activity party field '" + k + "'");
      }
    }
    if (party.id.empty() && party.address.empty())
      return sim_fail(400, codes::kInvalidArgument,
                      "an activity party needs a partyid bind or an addressused");
    resolved.push_back(std::move(party));
  }
  data["attachmentcount"] = 0;
  store_.put(*entity_by_set("emails"), id, std::move(data));
  for (auto& p : resolved) store_.add_party(id, p.mask, p.id, p.logical, p.address);
  return id;
}

SimResult<SimResponse> Api::patch_email(const std::string& id, const SimRequest& r) {
  auto body = parse_body(r);
  if (!body) return std::unexpected(body.error());
  const EntityInfo& emails = *entity_by_set("emails");
  auto data = store_.get(emails, id);
  if (!data) return std::unexpected(missing("email", id));
  for (auto& [k, v] : body->items()) {
    if (k == "statecode" || k == "statuscode" || k == "email_activity_parties") continue;
    if (k.ends_with("@odata.bind")) {
      auto ref = resolve_bind(k, v, nullptr);
      if (!ref) return std::unexpected(ref.error());
      std::string name = k.substr(0, k.find('@'));
      if (name.starts_with("regardingobjectid_")) name = "regardingobjectid";
      (*data)["_" + name + "_value"] = ref->second;
      (*data)["_" + name + "_value@Microsoft.Dynamics.CRM.lookuplogicalname"] = ref->first;
      continue;
    }
    (*data)[k] = v;
  }
  for (auto [field, limit] : {std::pair{"subject", 800}, {"messageid", 320}, {"trackingtoken", 50}})
    if (auto ok = check_length(*data, field, static_cast<std::size_t>(limit)); !ok)
      return std::unexpected(ok.error());
  if (auto ok = apply_state(*body, *data); !ok) return std::unexpected(ok.error());
  store_.put(emails, id, std::move(*data));
  return SimResponse(empty_response(204));
}

}  // namespace crmr::sim
