// CrmReader: the read side of the CRM, for `sync` (records with change
// tracking, the users' filtering methods, organisation settings, tracked
// e-mails) and `check` (a token, then WhoAmI). No HTTP or curl type in it;
// the Dataverse Web API implementation lives in core/crm
// (make_dataverse_reader, core/crm/dataverse.h).
//
// Failure: Scope::Run errors mean the CRM cannot be used at all
// (authentication, configuration); others carry the CRM's own text.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/cache_view.h"
#include "core/crm_record.h"
#include "core/result.h"

namespace crmr {

// One page of a record read: rows to upsert and ids deleted since the last read.
struct RecordPage {
  std::vector<CrmRecord> upserts;
  std::vector<std::string> deleted;
  bool full_read = false;  // rows of a full read (first sync, or an expired delta link)
};

// Who the CRM says the caller is (WhoAmI): the application user and its organisation.
struct CrmIdentity {
  std::string user_id;
  std::string business_unit_id;
  std::string organization_id;
};

// Called for each page in order; an error stops the read and is returned.
using RecordPageFn = std::function<Status(const RecordPage&)>;
using TrackedPageFn = std::function<Status(const std::vector<TrackedEmail>&)>;

class CrmReader {
 public:
  virtual ~CrmReader() = default;

  // Records of `entity` (systemuser queue contact account lead). An empty
  // `delta_link` reads everything; else only changes since that link was
  // issued (an expired link falls back to a full read). Returns the link for
  // the next incremental read ("" when the entity set does not give one).
  virtual Result<std::string> read_records(const std::string& entity,
                                           const std::string& delta_link,
                                           const RecordPageFn& on_page) = 0;
  // systemuserid -> incomingemailfilteringmethod (usersettingscollection).
  virtual Result<std::map<std::string, int>> read_user_filtering() = 0;
  virtual Result<OrgSettings> read_org() = 0;
  // Tracked e-mails modified at or after `watermark` (ISO 8601; "" = all).
  // Returns the new watermark (the latest modifiedon seen, or `watermark`).
  virtual Result<std::string> read_tracked(const std::string& watermark,
                                           const TrackedPageFn& on_page) = 0;

  // The activity id of the CRM e-mail whose messageid is `message_id` (as
  // stored, with angle brackets), or nullopt.
  virtual Result<std::optional<std::string>> find_by_message_id(const std::string& message_id) = 0;

  // For `check`: obtain an access token (nothing else is sent), then one
  // authenticated read. Errors carry the CRM's (or the identity platform's)
  // own text.
  virtual Status authenticate() = 0;
  virtual Result<CrmIdentity> who_am_i() = 0;
};

}  // namespace crmr
