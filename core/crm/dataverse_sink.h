// DataverseSink and DataverseReader: the CrmSink and CrmReader of the
// Dataverse Web API. Internal to core/crm: the rest of the program has them
// through make_dataverse_sink / make_dataverse_reader (core/crm/dataverse.h).
// Push (dataverse_push*.cc): per message, ask whether its messageid exists,
// else create it in one $batch change set (or, in server mode,
// CheckIncomingEmail + DeliverIncomingEmail); `concurrency` messages are in
// flight at once. Reads (dataverse_sync.cc, dataverse_whoami.cc,
// dataverse_duplicate_lookup.cc): paged reads with change tracking.
#pragma once

#include "core/crm/dataverse_session.h"
#include "core/crm_reader.h"
#include "core/crm_sink.h"

namespace crmr::dataverse {

class DataverseSink : public CrmSink {
 public:
  explicit DataverseSink(DataverseOptions o) : s_(std::move(o)) {}

  Status push_all(const std::vector<PushMessage>& messages, const PushDone& done) override;
  void cancel() override { s_.stop(); }
  CrmRequestCounts request_counts() const override {
    return {s_.requests_sent(), s_.requests_counted(), s_.throttle_count()};
  }
  Result<PushPreview> preview(const PushMessage& m) const override;

 private:
  Session s_;
};

class DataverseReader : public CrmReader {
 public:
  explicit DataverseReader(DataverseOptions o) : s_(std::move(o)) {}

  Result<std::string> read_records(const std::string& entity, const std::string& delta_link,
                                   const RecordPageFn& on_page) override;
  Result<std::map<std::string, int>> read_user_filtering() override;
  Result<OrgSettings> read_org() override;
  Result<std::string> read_tracked(const std::string& watermark, const TrackedPageFn& on_page) override;
  Result<std::optional<std::string>> find_by_message_id(const std::string& message_id) override;
  Status authenticate() override;
  Result<CrmIdentity> who_am_i() override;

 private:
  Session s_;
};

}  // namespace crmr::dataverse
