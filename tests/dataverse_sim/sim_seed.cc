// Seeding the simulated CRM from crm-router's `cache import` JSON Lines
// (entity = organization, systemuser, queue, contact, account, lead, email;
// the simulator also takes opportunity and incident), and the organisation
// row with the documented defaults.
#include <charconv>
#include <sstream>

#include "sim_api.h"

namespace crmr::sim {
namespace {

constexpr const char* kDefaultBlocked =
    "ade;adp;app;asa;ashx;asmx;asp;bas;bat;cdx;cer;chm;class;cmd;com;config;cpl;crt;csh;dll;exe;"
    "fxp;hlp;hta;htr;htw;ida;idc;idq;inf;ins;isp;its;jar;js;jse;ksh;lnk;mad;maf;mag;mam;maq;mar;"
    "mas;mat;mau;mav;maw;mda;mdb;mde;mdt;mdw;mdz;msc;msh;msh1;msh1xml;msh2;msh2xml;mshxml;msi;msp;"
    "mst;ops;pcd;pif;prf;prg;printer;pst;reg;rem;scf;scr;sct;shb;shs;shtm;shtml;soap;stm;tmp;url;"
    "vb;vbe;vbs;vsmacros;vss;vst;vsw;ws;wsc;wsf;wsh;ps1;ps1xml;ps2;ps2xml;psc1;psc2";

constexpr const char* kIntFields[] = {
    "statecode", "statuscode", "incomingemailfilteringmethod", "trackingtokenidbase",
    "trackingtokeniddigits", "maximumtrackingnumber", "hashmaxcount", "hashdeltasubjectcount",
    "hashminaddresscount", "maxuploadfilesize", "prioritycode"};
constexpr const char* kBoolFields[] = {
    "isdisabled", "emailcorrelationenabled", "enablesmartmatching", "ignoreinternalemail",
    "unresolveemailaddressifmultiplematch", "directioncode"};

// The cache importer accepts "3", "true", 1 for typed fields; Dataverse
// answers typed values, so the simulator stores them typed.
void normalize(json& row) {
  for (const char* f : kIntFields) {
    auto it = row.find(f);
    if (it == row.end() || !it->is_string()) continue;
    const std::string text = it->get<std::string>();
    std::int64_t v = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec == std::errc() && p == text.data() + text.size()) *it = v;
  }
  for (const char* f : kBoolFields) {
    auto it = row.find(f);
    if (it == row.end()) continue;
    if (it->is_string()) *it = (lower(it->get<std::string>()) == "true" || *it == "1");
    else if (it->is_number()) *it = it->get<int>() != 0;
  }
}

json default_organization() {
  return {{"name", "Simulated organization"},
          {"trackingprefix", "CRM:"},
          {"trackingtokenidbase", 0},
          {"trackingtokeniddigits", 3},
          {"maximumtrackingnumber", 999},
          {"emailcorrelationenabled", true},
          {"enablesmartmatching", false},
          {"hashfilterkeywords", "^[\\s]*([\\w]+\\s?:[\\s]*)+"},
          {"hashmaxcount", 20},
          {"hashdeltasubjectcount", 0},
          {"hashminaddresscount", 2},
          {"unresolveemailaddressifmultiplematch", false},
          {"ignoreinternalemail", true},
          {"maxuploadfilesize", 5242880},
          {"blockedattachments", kDefaultBlocked}};
}

}  // namespace

SimResult<int> Api::seed_lines(const std::string& text, const std::string& name) {
  std::lock_guard lock(store_.mutex());
  std::istringstream lines(text);
  std::string line;
  int n = 0, line_no = 0;
  try {  // seeding's one catch of SQLite and JSON failures
    store_.exec("BEGIN");
    while (std::getline(lines, line)) {
      ++line_no;
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      json row = json::parse(line, nullptr, false);
      auto ok = row.is_discarded() ? sim_fail(400, codes::kInvalidArgument, "invalid JSON")
                                   : seed_row(row);
      if (!ok) {
        store_.exec("ROLLBACK");
        return sim_fail(400, codes::kInvalidArgument,
                        name + ":" + std::to_string(line_no) + ": " + ok.error().message);
      }
      ++n;
    }
    ensure_organization();
    store_.exec("COMMIT");
  } catch (const std::exception& e) {
    return sim_fail(500, codes::kUnexpected, name + ":" + std::to_string(line_no) + ": " + e.what());
  }
  return n;
}

void Api::ensure_organization() {
  const EntityInfo& org = *entity_by_logical("organization");
  if (store_.select(org, "", {}, 0, 0, 1).empty()) store_.put(org, new_guid(), default_organization());
}

SimResult<bool> Api::seed_row(const json& input) {
  if (!input.is_object() || !input.contains("entity") || !input["entity"].is_string())
    return sim_fail(400, codes::kInvalidArgument, "a seed row needs \"entity\"");
  json row = input;
  const std::string entity = row["entity"].get<std::string>();
  row.erase("entity");
  normalize(row);
  const EntityInfo* info = entity_by_logical(entity);
  if (!info || entity == "activitypointer" || entity == "activitymimeattachment")
    return sim_fail(400, codes::kInvalidArgument, "unknown seed entity \"" + entity + "\"");

  if (entity == "organization") {
    auto rows = store_.select(*info, "", {}, 0, 0, 1);
    json data = rows.empty() ? default_organization() : rows[0].data;
    for (auto& [k, v] : row.items()) data[k] = v;
    std::string id = rows.empty() ? row.value("organizationid", new_guid())
                                  : rows[0].data.value("organizationid", new_guid());
    store_.put(*info, lower(id), std::move(data));
    return true;
  }
  auto id_it = row.find(info->key);
  if (id_it == row.end() || !id_it->is_string() || !is_guid(id_it->get<std::string>()))
    return sim_fail(400, codes::kInvalidArgument,
                    entity + ": " + info->key + " (a GUID) is required");
  const std::string id = lower(id_it->get<std::string>());
  row.erase(info->key);

  if (entity == "email") {
    std::string regarding = row.value("regardingobjectid", row.value("_regardingobjectid_value", ""));
    std::string type = row.value(
        "regardingobjecttype",
        row.value("_regardingobjectid_value@Microsoft.Dynamics.CRM.lookuplogicalname", ""));
    row.erase("regardingobjectid");
    row.erase("regardingobjecttype");
    if (!regarding.empty()) {
      const EntityInfo* target = entity_by_logical(type);
      if (!target) return sim_fail(400, codes::kInvalidArgument, "unknown regardingobjecttype " + type);
      regarding = lower(regarding);
      row["_regardingobjectid_value"] = regarding;
      row["_regardingobjectid_value@Microsoft.Dynamics.CRM.lookuplogicalname"] = type;
      if (!store_.exists(*target, regarding)) store_.put(*target, regarding, {{"statecode", 0}});
    }
    // The cache file's recipient lists become To (2) and Cc (3) parties, as
    // Dataverse keeps them; `torecipients` is also a column of the e-mail
    // table, `ccrecipients` is not (Cc is only a party list).
    for (auto [field, mask] : {std::pair{"torecipients", 2}, std::pair{"ccrecipients", 3}}) {
      std::string list = row.value(field, std::string());
      std::size_t at = 0;
      while (at <= list.size()) {
        auto end = list.find_first_of(";,", at);
        std::string a = list.substr(at, end == std::string::npos ? std::string::npos : end - at);
        a.erase(0, a.find_first_not_of(' '));
        a.erase(a.find_last_not_of(' ') + 1);
        if (!a.empty()) store_.add_party(id, mask, "", "", a);
        if (end == std::string::npos) break;
        at = end + 1;
      }
    }
    row.erase("ccrecipients");
    if (!row.contains("directioncode")) row["directioncode"] = true;
    if (!row.contains("statecode")) row["statecode"] = 1;
    if (!row.contains("statuscode")) row["statuscode"] = row["directioncode"].get<bool>() ? 3 : 4;
  } else if (!row.contains("statecode") && entity != "systemuser" && entity != "usersettings") {
    row["statecode"] = 0;
  }
  if (entity == "systemuser") {
    json settings{{"incomingemailfilteringmethod", row.value("incomingemailfilteringmethod", 1)}};
    store_.put(*entity_by_logical("usersettings"), id, std::move(settings));
    if (!row.contains("isdisabled")) row["isdisabled"] = false;
  }
  store_.put(*info, id, std::move(row));
  return true;
}

}  // namespace crmr::sim
