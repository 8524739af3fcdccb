// DataverseSink: the CrmSink of the Dataverse Web API. Push (dataverse_push.cc):
// per message, ask whether its messageid exists, else create it in one $batch
// change set (or, in server mode, CheckIncomingEmail + DeliverIncomingEmail);
// `concurrency` messages are in flight at once. Sync (dataverse_sync.cc):
// paged reads with change tracking.
#pragma once

#include <memory>

#include "core/crm_sink.h"
#include "core/crm/dataverse_session.h"

namespace crmr::dataverse {

class DataverseSink : public CrmSink {
 public:
  explicit DataverseSink(DataverseOptions o) : s_(std::move(o)) {}

  Status push_all(const std::vector<OutboxMessage>& messages, const PushDone& done) override;
  void cancel() override { s_.stop(); }
  CrmRequestCounts request_counts() const override {
    return {s_.requests_sent(), s_.requests_counted(), s_.throttle_count()};
  }
  Result<std::optional<std::string>> find_by_message_id(const std::string& message_id) override;
  Result<std::string> read_records(const std::string& entity, const std::string& delta_link,
                                   const RecordPageFn& on_page) override;
  Result<std::map<std::string, int>> read_user_filtering() override;
  Result<OrgSettings> read_org() override;
  Result<std::string> read_tracked(const std::string& watermark, const TrackedPageFn& on_page) override;
  Status authenticate() override;
  Result<CrmIdentity> who_am_i() override;

  Session& session() { return s_; }

 private:
  Session s_;
};

std::unique_ptr<DataverseSink> make_dataverse_sink(DataverseOptions o);

// The activity id in the answer to a duplicate query (value[0].activityid), or nullopt.
Result<std::optional<std::string>> parse_found_id(const HttpResponse& resp, const std::string& what);

}  // namespace crmr::dataverse
