// The Web API behaviour of the simulated Dataverse: one request in, one answer
// out, independent of HTTP transport so $batch parts run through the same
// code. Owns nothing but upload sessions and counters; the data lives in the
// SimStore. Reads are in sim_api_read.cc, e-mails in sim_emails.cc,
// attachments in sim_attachments.cc, CheckIncomingEmail/DeliverIncomingEmail
// in sim_incoming.cc.
#pragma once

#include <atomic>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sim_config.h"
#include "sim_entities.h"
#include "sim_store.h"
#include "sim_types.h"

namespace crmr::sim {

// The organisation settings the simulator enforces.
struct OrgLimits {
  std::int64_t max_upload = 5242880;
  std::vector<std::string> blocked;  // lower-case extensions without dot
  std::vector<std::string> prefixes; // tracking prefixes, newest first
};

// "/contacts(<guid>)", "contacts(<guid>)" or a full URL -> (set, id).
std::optional<std::pair<std::string, std::string>> parse_entity_ref(std::string_view ref);

class Api {
 public:
  Api(SimStore& store, const SimConfig& config) : store_(store), config_(config) {}

  // A request outside a batch: takes the store lock, runs in a savepoint
  // (rolled back when the answer is an error).
  SimResponse handle(const SimRequest& request);
  // The caller holds the store lock and is inside a transaction or savepoint.
  SimResponse handle_locked(const SimRequest& request);

  SimStore& store() { return store_; }
  const SimConfig& config() const { return config_; }
  json counters() const;
  json dump_emails(bool with_bodies);  // the /_sim/emails inspection answer (locks)

  // Seeding (sim_seed.cc): cache-import JSON Lines (all or nothing; takes the
  // lock); `name` labels errors ("FILE:LINE: problem"). Also makes sure an
  // organization row with the documented defaults exists.
  SimResult<int> seed_lines(const std::string& text, const std::string& name);

 private:
  SimResult<SimResponse> dispatch(const SimRequest& r);

  SimResult<bool> seed_row(const json& row);  // caller holds the lock
  void ensure_organization();

  // sim_api_read.cc
  SimResult<SimResponse> get_collection(const EntityInfo& e, const SimRequest& r);
  SimResult<SimResponse> get_delta(const EntityInfo& e, const SimRequest& r);
  SimResult<SimResponse> get_record(const EntityInfo& e, const std::string& id,
                                    const SimRequest& r);
  SimResult<SimResponse> create_record(const EntityInfo& e, const SimRequest& r);
  SimResult<SimResponse> patch_record(const EntityInfo& e, const std::string& id,
                                      const SimRequest& r);
  SimResult<SimResponse> delete_record(const EntityInfo& e, const std::string& id);
  SimResponse created(const EntityInfo& e, const std::string& id, const SimRequest& r);

  // sim_emails.cc
  SimResult<json> parse_body(const SimRequest& r);
  SimResult<std::string> insert_email(json body);
  SimResult<SimResponse> patch_email(const std::string& id, const SimRequest& r);
  SimResult<std::pair<std::string, std::string>> resolve_bind(const std::string& key,
                                                             const json& value,
                                                             const char* expect_logical);
  SimError missing(const std::string& logical, const std::string& id) const;

  // sim_attachments.cc
  OrgLimits org_limits();
  SimResult<std::string> insert_attachment(const json& body);
  SimResult<SimResponse> init_blocks(const SimRequest& r);
  SimResult<SimResponse> upload_block(const SimRequest& r);
  SimResult<SimResponse> commit_blocks(const SimRequest& r);

  // sim_incoming.cc
  struct IncomingCheck {
    bool deliver = false;
    int reason = -1;
    std::string correlated_email;  // activityid the tracking token matched
  };
  IncomingCheck check_incoming(const std::string& message_id, const std::string& subject,
                               const std::string& from, const std::string& to,
                               const std::string& cc);
  std::vector<std::pair<std::string, std::string>> resolve_address(const std::string& address);
  SimResult<SimResponse> check_incoming_email(const std::string& args, const SimRequest& r);
  SimResult<SimResponse> deliver_incoming_email(const SimRequest& r);

  // sim_queues.cc
  std::string put_queue_item(const std::string& queue_id, const std::string& email_id);
  SimResult<SimResponse> create_queue_item(const SimRequest& r);
  SimResult<SimResponse> add_to_queue(const std::string& queue_id, const SimRequest& r);
  SimResult<SimResponse> apply_record_rules(const SimRequest& r);

  struct UploadSession {
    json target;
    std::map<std::string, std::string> blocks;  // block id -> decoded bytes
  };

  SimStore& store_;
  const SimConfig& config_;
  std::map<std::string, UploadSession> uploads_;
  std::atomic<std::int64_t> ignored_readonly_{0};
  // Attachments created by a POST (alone or in a $batch), blocks accepted by
  // UploadBlock, and attachments created by CommitAttachmentBlocksUpload.
  std::atomic<std::int64_t> attachment_posts_{0};
  std::atomic<std::int64_t> upload_blocks_{0};
  std::atomic<std::int64_t> block_commits_{0};
  // Queue items made (queueitems creates and AddToQueue), rule runs, cases made.
  std::atomic<std::int64_t> queue_items_{0};
  std::atomic<std::int64_t> rules_applied_{0};
  std::atomic<std::int64_t> cases_created_{0};
};

}  // namespace crmr::sim
