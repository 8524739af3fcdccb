// CacheView: what the decision may read of the local cache of CRM records,
// tracked e-mails, organisation settings and the ledger of processed keys.
// Implemented by storage/ (SQLite) and by test doubles built on it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace crmr {

// A CRM record that has an e-mail address.
struct RecordRef {
  std::string entity;   // logical name: systemuser, queue, contact, account, lead
  std::string id;       // GUID as text
  std::string name;     // fullname / name
  bool active = true;   // statecode 0 (queues, contacts, ...) / !isdisabled (users)
  int filtering_method = -1;  // users and queues: incomingemailfilteringmethod 0..4; else -1
};

// An e-mail the CRM already tracks.
struct TrackedEmail {
  std::string activity_id;
  std::string message_id;          // normalised (no angle brackets)
  std::string tracking_token;      // e.g. "CRM:0001001"
  std::string conversation_index;  // base64 Thread-Index as stored by the CRM
  std::string subject;
  bool outgoing = false;           // directioncode true
  std::string regarding_entity;    // e.g. "opportunity"; empty if none
  std::string regarding_id;
  std::vector<std::string> recipients;  // normalised addresses (to + cc)
};

// Organisation settings that shape routing (Dataverse organization entity), with defaults.
struct OrgSettings {
  std::vector<std::string> tracking_prefixes{"CRM:"};  // newest first
  int token_id_base = 0;
  int token_id_digits = 3;
  int max_tracking_number = 999;
  bool correlation_enabled = true;
  bool smart_matching = false;
  std::string hash_filter_keywords = R"(^[\s]*([\w]+\s?:[\s]*)+)";
  int hash_max_count = 20;
  int hash_delta_subject_count = 0;
  int hash_min_address_count = 2;
  bool ignore_internal_email = true;
  bool unresolve_if_multiple_match = false;
  std::int64_t max_upload_file_size = 5242880;  // base64 bytes
  std::vector<std::string> blocked_extensions;  // lowercase, no dot
};

// Default blocked extensions (Dataverse's out-of-the-box list).
std::vector<std::string> default_blocked_extensions();

// Lookups answer "not found" both when nothing matches and when the cache
// could not be read; status() tells the two apart. It is sticky, like
// leveldb's Iterator::status(): the first failure of any lookup stays until
// the view is gone, so a caller checks it once after a decision and never
// takes an answer made of failed lookups for a real one.
class CacheView {
 public:
  virtual ~CacheView() = default;
  // OK, or the first error a lookup met (Scope::Run: the cache is unusable).
  virtual Status status() const { return {}; }
  virtual OrgSettings org() const = 0;
  // Every record (active or not) whose e-mail address equals `address`
  // (normalised: see normalize_address in core/mime/address.h).
  virtual std::vector<RecordRef> records_by_address(std::string_view address) const = 0;
  virtual std::optional<TrackedEmail> tracked_by_message_id(std::string_view id) const = 0;
  // Token compared without the prefix's optional space, e.g. "CRM:0001001".
  virtual std::optional<TrackedEmail> tracked_by_token(std::string_view token) const = 0;
  // Conversation key: see conversation_key() in core/base/normalize.h.
  virtual std::optional<TrackedEmail> tracked_by_conversation(std::string_view key) const = 0;
  // Tracked e-mails that share at least one subject hash (smart matching).
  virtual std::vector<TrackedEmail> tracked_by_subject_hashes(
      const std::vector<std::int32_t>& hashes) const = 0;
  // True when this message key was already processed (ledger).
  virtual bool ledger_has(std::string_view key) const = 0;
};

}  // namespace crmr
