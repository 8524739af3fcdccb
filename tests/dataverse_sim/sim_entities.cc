#include "sim_entities.h"

namespace crmr::sim {

const std::vector<EntityInfo>& entities() {
  static const std::vector<EntityInfo> all{
      {"emails", "email", "emails", "activityid"},
      {"activitypointers", "activitypointer", "emails", "activityid"},
      {"activitymimeattachments", "activitymimeattachment", "attachments",
       "activitymimeattachmentid"},
      {"contacts", "contact", "contacts", "contactid"},
      {"accounts", "account", "accounts", "accountid"},
      {"leads", "lead", "leads", "leadid"},
      {"systemusers", "systemuser", "systemusers", "systemuserid"},
      {"queues", "queue", "queues", "queueid"},
      {"usersettingscollection", "usersettings", "usersettings", "systemuserid"},
      {"organizations", "organization", "organizations", "organizationid"},
      {"opportunities", "opportunity", "opportunities", "opportunityid"},
      {"incidents", "incident", "incidents", "incidentid"},
      {"queueitems", "queueitem", "queueitems", "queueitemid"},
      {"convertrules", "convertrule", "convertrules", "convertruleid"},
  };
  return all;
}

const EntityInfo* entity_by_set(std::string_view set) {
  for (auto& e : entities())
    if (set == e.set) return &e;
  return nullptr;
}

const EntityInfo* entity_by_logical(std::string_view logical) {
  for (auto& e : entities())
    if (logical == e.logical) return &e;
  return nullptr;
}

bool is_party_entity(std::string_view l) {
  return l == "contact" || l == "account" || l == "lead" || l == "systemuser" || l == "queue";
}

bool is_regarding_entity(std::string_view l) {
  return l == "account" || l == "contact" || l == "opportunity" || l == "incident" ||
         l == "lead";
}

bool is_email_column(std::string_view f) {
  if (f.starts_with('_') && f.ends_with("_value")) return true;  // lookups
  static const char* const columns[] = {
      "activityadditionalparams", "activityid", "activitytypecode", "actualdurationminutes",
      "actualend", "actualstart", "attachmentcount", "attachmentopencount",
      "baseconversationindexhash", "category", "compressed", "conversationindex",
      "conversationtrackingid", "correlatedsubjectchanged", "correlationmethod", "createdon",
      "delayedemailsendtime", "deliveryattempts", "deliveryprioritycode",
      "deliveryreceiptrequested", "description", "directioncode", "emailreminderexpirytime",
      "emailreminderstatus", "emailremindertext", "emailremindertype", "emailtrackingid",
      "exchangerate", "followemailuserpreference", "importsequencenumber", "inreplyto",
      "internetmessageheaders", "isbilled", "isemailfollowed", "isemailreminderset",
      "isregularactivity", "isunsafe", "isworkflowcreated", "lastonholdtime", "lastopenedtime",
      "linksclickedcount", "messageid", "messageiddupcheck", "mimetype", "modifiedon",
      "notifications", "onholdtime", "opencount", "overriddencreatedon",
      "postponeemailprocessinguntil", "prioritycode", "readreceiptrequested", "replycount",
      "reservedforinternaluse", "safedescription", "scheduleddurationminutes", "scheduledend",
      "scheduledstart", "sender", "senton", "sortdate", "statecode", "statuscode", "subcategory",
      "subject", "submittedby", "timezoneruleversionnumber", "torecipients", "trackingtoken",
      "traversedpath", "utcconversiontimezonecode", "versionnumber"};
  for (const char* c : columns)
    if (f == c) return true;
  return false;
}

std::vector<std::string> extra_columns(const EntityInfo& e) {
  std::string table = e.table;
  if (table == "emails")
    return {"messageid", "directioncode", "statecode", "statuscode", "subject", "trackingtoken"};
  if (table == "attachments") return {"objectid", "filename", "filesize"};
  if (table == "parties")
    return {"activityid", "participationtypemask", "partyid", "partyobjecttype", "addressused"};
  return {};
}

}  // namespace crmr::sim
