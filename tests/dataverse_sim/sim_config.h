// The simulator's settings, filled from its command line (sim_main.cc). The
// behaviour switches choose between readings of the Dataverse Web API
// documentation where it is unclear; their defaults are documented in README.md.
#pragma once

#include <string>
#include <vector>

namespace crmr::sim {

struct SimConfig {
  int port = 0;                        // 0: pick a free port
  std::string db = ":memory:";         // SQLite file of what the CRM holds
  std::vector<std::string> seeds;      // JSON Lines files (cache import format)
  long long generate_emails = 0;       // generated tracked e-mails (sim_generate.cc)
  int generate_days = 365;             // ...their modifiedon spread over this many days
  std::string client_id = "sim-client";
  std::string client_secret = "sim-secret";
  std::string static_token;            // accepted as a bearer token besides issued ones
  bool no_auth = false;                // accept API calls without a token
  int token_ttl = 3600;                // seconds
  int rate_limit = 0;                  // requests per window; 0 = off
  int rate_window = 300;               // seconds (sliding)
  int max_concurrency = 0;             // concurrent API requests; 0 = off
  int threads = 64;                    // HTTP worker threads (one per open connection)
  std::vector<std::string> faults;     // fault specs, see sim_faults.h
  // Readings of the doc:
  bool reject_state_on_create = false; // statecode/statuscode in an e-mail create -> 400
  bool accept_readonly = false;        // inreplyto, senton, ... in a create ignored (else 400, as Dataverse)
  int duplicate_status = 412;          // received-mail messageid duplicate: 412 or 400
  int missing_bind_status = 400;       // @odata.bind to a missing record: 400 or 404
  bool changeset_error_nested = false; // failed change set: nested parts (else one error part)
  bool strict_odata_version = false;   // JSON body without OData-Version: 4.0 -> 400
  int delta_token_ttl = 7 * 24 * 3600; // seconds a delta token stays valid
  int delta_expired_status = 400;      // status of an expired delta token (400 or 410)
};

}  // namespace crmr::sim
