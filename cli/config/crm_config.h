// The [crm] section of the configuration file (crm-router.conf(5)).
#pragma once

#include <toml++/toml.h>

#include <cstdint>
#include <string>

namespace crmr {

class ConfigChecker;

struct CrmConfig {
  int line = 0;
  std::string url;                 // Web API base, e.g. https://org.crm.dynamics.com/api/data/v9.2/
  std::string auth = "client_credentials";  // or "bearer"
  std::string tenant;
  std::string client_id;
  std::string client_secret_env;   // secrets: from the environment...
  std::string client_secret_file;  // ...or a file
  std::string certificate;         // or a certificate credential: PEM file (and key)
  std::string certificate_key;     // PEM file of the key when not in `certificate`
  std::string token_env;           // for auth = "bearer"
  std::string token_url = "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token";
  std::string scope;               // default: <url's scheme+host>/.default
  std::uint32_t concurrency = 8;
  std::string mode = "local";      // or "server" (CheckIncomingEmail + DeliverIncomingEmail)
  std::string tls_ca_file;
  bool tls_verify = true;
  std::uint32_t timeout_s = 60;
  std::uint32_t max_attempts = 6;  // per request within one run
  // sync's look-back window for tracked e-mails: a full read (the first sync,
  // --full) asks only for those modified in the last tracked_days days; 0 = all.
  std::uint32_t tracked_days = 365;
  // Push puts each e-mail into the queues that accepted it (Dynamics'
  // CreateQueueItemsForAcceptingQueueRecipients), by queueitems creates in
  // its change set, or by AddToQueue after it when queue_items_in_batch is off.
  bool queue_items = true;
  bool queue_items_in_batch = true;
  // Opt-in: ApplyRecordCreationAndUpdateRule on every e-mail push lands.
  bool apply_record_rules = false;
  // How push's duplicate check asks for many messages at once: "in" (the
  // Microsoft.Dynamics.CRM.In query function), "or" (eq comparisons joined by
  // or) or "single" (one GET per message).
  std::string duplicate_lookup = "in";

  bool configured() const { return !url.empty(); }
};

// Read [crm] of `root` into `out`, reporting problems to `c`.
void read_crm_config(ConfigChecker& c, const toml::table& root, CrmConfig& out);

}  // namespace crmr
