// Sync readers of DataverseSink: paged GETs (Prefer: odata.maxpagesize,
// following @odata.nextLink), change tracking (Prefer: odata.track-changes ->
// @odata.deltaLink; $deletedEntity rows are deletions), and the modifiedon
// watermark of tracked e-mails. An expired or refused delta link (a 4xx answer
// to it) falls back to a full read.
#include <algorithm>

#include "core/crm/dataverse_request.h"
#include "core/crm/dataverse_sink.h"
#include "core/base/normalize.h"
#include "core/base/ascii.h"

namespace crmr::dataverse {
namespace {

struct EntityShape {
  const char* entity;
  const char* set;
  const char* id;
  const char* name;
  std::vector<const char*> addresses;
  const char* select;
};

const EntityShape* shape_of(const std::string& entity) {
  static const std::vector<EntityShape> shapes = {
      {"systemuser", "systemusers", "systemuserid", "fullname", {"internalemailaddress"},
       "systemuserid,fullname,internalemailaddress,isdisabled"},
      {"queue", "queues", "queueid", "name", {"emailaddress"},
       "queueid,name,emailaddress,incomingemailfilteringmethod,statecode"},
      {"contact", "contacts", "contactid", "fullname", {"emailaddress1", "emailaddress2", "emailaddress3"},
       "contactid,fullname,emailaddress1,emailaddress2,emailaddress3,statecode"},
      {"account", "accounts", "accountid", "name", {"emailaddress1", "emailaddress2", "emailaddress3"},
       "accountid,name,emailaddress1,emailaddress2,emailaddress3,statecode"},
      {"lead", "leads", "leadid", "fullname", {"emailaddress1", "emailaddress2", "emailaddress3"},
       "leadid,fullname,emailaddress1,emailaddress2,emailaddress3,statecode"},
  };
  for (const auto& s : shapes)
    if (entity == s.entity) return &s;
  return nullptr;
}

std::string str(const nlohmann::json& row, const char* key) {
  auto it = row.find(key);
  if (it == row.end() || !it->is_string()) return {};
  return it->get<std::string>();
}

int integer(const nlohmann::json& row, const char* key, int fallback) {
  auto it = row.find(key);
  if (it == row.end()) return fallback;
  if (it->is_number_integer()) return it->get<int>();
  if (it->is_boolean()) return it->get<bool>() ? 1 : 0;
  return fallback;
}

bool boolean(const nlohmann::json& row, const char* key, bool fallback) {
  auto it = row.find(key);
  if (it == row.end()) return fallback;
  if (it->is_boolean()) return it->get<bool>();
  if (it->is_number_integer()) return it->get<int>() != 0;
  return fallback;
}

bool is_deleted_row(const nlohmann::json& row) {
  return str(row, "@odata.context").find("$deletedEntity") != std::string::npos ||
         str(row, "reason") == "deleted";
}

CrmRecord record_of(const EntityShape& s, const nlohmann::json& row) {
  CrmRecord r;
  r.entity = s.entity;
  r.id = str(row, s.id);
  r.name = str(row, s.name);
  for (const char* a : s.addresses)
    if (auto v = str(row, a); !v.empty()) r.addresses.push_back(v);
  if (r.entity == "systemuser") {
    r.active = !boolean(row, "isdisabled", false);
  } else {
    r.active = integer(row, "statecode", 0) == 0;
  }
  if (r.entity == "queue") r.filtering_method = integer(row, "incomingemailfilteringmethod", -1);
  return r;
}

std::vector<std::string> split_semicolons(const std::string& text) {
  std::vector<std::string> out;
  std::size_t at = 0;
  while (at <= text.size()) {
    auto semi = text.find(';', at);
    std::string item = text.substr(at, semi == std::string::npos ? std::string::npos : semi - at);
    while (!item.empty() && item.front() == ' ') item.erase(item.begin());
    while (!item.empty() && item.back() == ' ') item.pop_back();
    if (!item.empty()) out.push_back(item);
    if (semi == std::string::npos) break;
    at = semi + 1;
  }
  return out;
}

// The To and Cc addresses of a tracked e-mail row: its `torecipients` text
// (';'-separated) and the addressused of its To/Cc parties, each once.
std::vector<std::string> recipients_of(const nlohmann::json& row) {
  std::vector<std::string> out;
  auto add = [&](std::string a) {
    std::string low = ascii_lower(a);
    for (const auto& o : out) {
      if (ascii_lower(o) == low) return;
    }
    out.push_back(std::move(a));
  };
  for (auto& a : split_semicolons(str(row, "torecipients"))) add(std::move(a));
  auto parties = row.find("email_activity_parties");
  if (parties != row.end() && parties->is_array())
    for (const auto& p : *parties) {
      if (!p.is_object()) continue;
      int mask = integer(p, "participationtypemask", 0);
      if (mask != 2 && mask != 3) continue;
      if (auto a = str(p, "addressused"); !a.empty()) add(std::move(a));
    }
  return out;
}

HttpRequest get(std::string url, std::string label, std::string prefer) {
  HttpRequest r;
  r.url = std::move(url);
  r.label = std::move(label);
  if (!prefer.empty()) r.headers.emplace_back("Prefer", std::move(prefer));
  return r;
}

// Reads every page from `url`: `row` gets each row of a page's "value" list as
// it is parsed (the page is never one document in memory), then `page_done`
// is called. Returns the delta link of the last page ("" if none).
// The next page is asked for before `page_done` stores this one, so that the
// CRM prepares it meanwhile (a first sync of millions of records otherwise
// waits for each page, then has the CRM wait while it stores); pages are
// still stored one after the other, in order.
Result<std::string> read_pages(Session& s, std::string url, const std::string& what,
                               const std::string& prefer,
                               const std::function<void(const nlohmann::json&)>& row,
                               const std::function<Status()>& page_done) {
  auto label_of = [&](int page) { return what + " (page " + std::to_string(page) + ")"; };
  auto r = s.send_now(get(url, label_of(1), prefer));
  for (int page = 1;; ++page) {
    if (!r) return std::unexpected(r.error());
    const std::string label = label_of(page);
    auto j = parse_json_rows(r->body, label, row);
    if (!j) return std::unexpected(j.error());
    if (!j->is_object() || !j->contains("value") || !(*j)["value"].is_array())
      return fail(Code::CrmBadResponse, label + ": the CRM's answer has no \"value\" list", Scope::Run,
                  Retry::Later);
    r->body.clear();
    r->body.shrink_to_fit();
    std::string next = str(*j, "@odata.nextLink");
    std::optional<Result<HttpResponse>> ahead;
    if (!next.empty()) {
      if (auto st = s.send_ahead(get(next, label_of(page + 1), prefer), ahead); !st)
        return std::unexpected(st.error());
    }
    if (auto st = page_done(); !st) {
      if (!next.empty()) {  // the page read ahead is not wanted any more
        s.stop();
        (void)s.run();
        s.resume();
      }
      return std::unexpected(st.error());
    }
    if (next.empty()) return str(*j, "@odata.deltaLink");
    if (!ahead) {
      if (auto st = s.run(); !st) return std::unexpected(st.error());
    }
    if (!ahead)
      return fail(Code::CrmStopped, label_of(page + 1) + ": the request was stopped before it was answered");
    r = std::move(*ahead);
  }
}

}  // namespace

Result<std::string> DataverseReader::read_records(const std::string& entity, const std::string& delta_link,
                                                const RecordPageFn& on_page) {
  const EntityShape* shape = shape_of(entity);
  if (!shape) return fail(Code::CrmConfig, "sync: unknown entity " + entity);
  const std::string prefer =
      "odata.maxpagesize=" + std::to_string(s_.options().page_size) + ",odata.track-changes";
  auto read = [&](const std::string& url, bool full) {
    RecordPage page;
    page.full_read = full;
    auto each_row = [&](const nlohmann::json& row) {
      if (!row.is_object()) return;
      if (is_deleted_row(row)) {
        std::string id = str(row, "id");
        if (id.empty()) id = str(row, shape->id);
        if (!id.empty()) page.deleted.push_back(id);
      } else {
        CrmRecord rec = record_of(*shape, row);
        if (!rec.id.empty()) page.upserts.push_back(std::move(rec));
      }
    };
    return read_pages(s_, url, std::string("sync of ") + shape->set, prefer, each_row, [&] {
      Status st = on_page(page);
      page.upserts.clear();
      page.deleted.clear();
      return st;
    });
  };
  const std::string full_url = std::string(shape->set) + "?$select=" + shape->select;
  if (!delta_link.empty()) {
    auto r = read(delta_link, false);
    if (r || r.error().code != Code::CrmRejected) return r;
    // The delta token expired (or was refused): read everything again.
  }
  return read(full_url, true);
}

Result<std::map<std::string, int>> DataverseReader::read_user_filtering() {
  std::map<std::string, int> out;
  auto r = read_pages(s_, "usersettingscollection?$select=systemuserid,incomingemailfilteringmethod",
                      "sync of usersettingscollection",
                      "odata.maxpagesize=" + std::to_string(s_.options().page_size),
                      [&](const nlohmann::json& row) {
                        if (row.is_object() && !str(row, "systemuserid").empty())
                          out[str(row, "systemuserid")] = integer(row, "incomingemailfilteringmethod", -1);
                      },
                      [] { return Status{}; });
  if (!r) return std::unexpected(r.error());
  return out;
}

Result<OrgSettings> DataverseReader::read_org() {
  std::optional<OrgSettings> org;
  auto r = read_pages(
      s_,
      "organizations?$select=trackingprefix,trackingtokenidbase,trackingtokeniddigits,"
      "maximumtrackingnumber,emailcorrelationenabled,enablesmartmatching,hashfilterkeywords,"
      "hashmaxcount,hashdeltasubjectcount,hashminaddresscount,ignoreinternalemail,"
      "unresolveemailaddressifmultiplematch,maxuploadfilesize,blockedattachments",
      "sync of organizations", "", [&](const nlohmann::json& row) {
        if (org || !row.is_object()) return;
        OrgSettings o;
        if (auto p = split_semicolons(str(row, "trackingprefix")); !p.empty()) o.tracking_prefixes = p;
        o.token_id_base = integer(row, "trackingtokenidbase", o.token_id_base);
        o.token_id_digits = integer(row, "trackingtokeniddigits", o.token_id_digits);
        o.max_tracking_number = integer(row, "maximumtrackingnumber", o.max_tracking_number);
        o.correlation_enabled = boolean(row, "emailcorrelationenabled", o.correlation_enabled);
        o.smart_matching = boolean(row, "enablesmartmatching", o.smart_matching);
        if (auto k = str(row, "hashfilterkeywords"); !k.empty()) o.hash_filter_keywords = k;
        o.hash_max_count = integer(row, "hashmaxcount", o.hash_max_count);
        o.hash_delta_subject_count = integer(row, "hashdeltasubjectcount", o.hash_delta_subject_count);
        o.hash_min_address_count = integer(row, "hashminaddresscount", o.hash_min_address_count);
        o.ignore_internal_email = boolean(row, "ignoreinternalemail", o.ignore_internal_email);
        o.unresolve_if_multiple_match =
            boolean(row, "unresolveemailaddressifmultiplematch", o.unresolve_if_multiple_match);
        o.max_upload_file_size = integer(row, "maxuploadfilesize", static_cast<int>(o.max_upload_file_size));
        if (row.contains("blockedattachments") && row["blockedattachments"].is_string()) {
          o.blocked_extensions.clear();
          for (auto& e : split_semicolons(str(row, "blockedattachments"))) {
            o.blocked_extensions.push_back(ascii_lower(e));
          }
        } else {
          o.blocked_extensions = default_blocked_extensions();
        }
        org = std::move(o);
      },
      [] { return Status{}; });
  if (!r) return std::unexpected(r.error());
  if (!org) return fail(Code::CrmBadResponse, "sync of organizations: no organization row", Scope::Run, Retry::Later);
  return *org;
}

Result<std::string> DataverseReader::read_tracked(const std::string& watermark, const TrackedPageFn& on_page) {
  // The recipients smart matching compares: `torecipients` (the To
  // addresses as text) and the To/Cc activity parties' addresses (the e-mail
  // table has no Cc text column; Cc is only a party list).
  std::string url =
      "emails?$select=activityid,messageid,trackingtoken,conversationindex,subject,directioncode,"
      "modifiedon,_regardingobjectid_value,torecipients&$expand=" +
      url_encode("email_activity_parties($select=participationtypemask,addressused;"
                 "$filter=participationtypemask eq 2 or participationtypemask eq 3)");
  if (!watermark.empty()) url += "&$filter=" + url_encode("modifiedon ge " + watermark);
  std::string newest = watermark;
  const std::string prefer = "odata.maxpagesize=" + std::to_string(s_.options().page_size) +
                             ",odata.include-annotations=\"*\"";
  std::vector<TrackedEmail> page;
  auto each_row = [&](const nlohmann::json& row) {
    if (!row.is_object() || str(row, "activityid").empty()) return;
    TrackedEmail t;
    t.activity_id = str(row, "activityid");
    t.message_id = normalize_message_id(str(row, "messageid"));
    t.tracking_token = str(row, "trackingtoken");
    t.conversation_index = str(row, "conversationindex");
    t.subject = str(row, "subject");
    t.outgoing = boolean(row, "directioncode", false);
    t.regarding_id = str(row, "_regardingobjectid_value");
    if (!t.regarding_id.empty())
      t.regarding_entity = str(row, "_regardingobjectid_value@Microsoft.Dynamics.CRM.lookuplogicalname");
    t.recipients = recipients_of(row);
    t.modified = str(row, "modifiedon");
    if (t.modified > newest) newest = t.modified;
    page.push_back(std::move(t));
  };
  auto r = read_pages(s_, url, "sync of tracked emails", prefer, each_row, [&] {
    Status st = on_page(page);
    page.clear();
    return st;
  });
  if (!r) return std::unexpected(r.error());
  return newest;
}

}  // namespace crmr::dataverse
