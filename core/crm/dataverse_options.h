// DataverseOptions: how the Dataverse Web API client (core/crm/dataverse.h)
// reaches the CRM and pushes: the Web API and token endpoints, credentials
// (secrets already read by the caller), concurrency, timeouts and retries,
// TLS, and the push's choices (server mode, queue items, record rules, the
// duplicate lookup's syntax).
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

#include "core/crm/client_assertion.h"  // ClientAssertionSigner
#include "core/mime/mime_parser.h"      // ParseLimits

namespace crmr::dataverse {

// How push's duplicate check asks for many messages at once
// (dataverse_duplicate_lookup.h): the In query function, eq comparisons
// joined by or, or one GET per message.
enum class LookupSyntax { In, Or, Single };

struct DataverseOptions {
  std::string api_url;  // Web API base, ending in '/'
  enum class Auth { ClientCredentials, Bearer } auth = Auth::ClientCredentials;
  std::string token_url;      // {tenant} already replaced
  std::string client_id;
  std::string client_secret;  // secret
  std::optional<ClientAssertionSigner> certificate;  // instead of client_secret
  std::string bearer_token;   // secret (Auth::Bearer)
  std::string scope;
  std::size_t concurrency = 8;
  std::chrono::seconds timeout{60};
  int max_attempts = 6;
  std::string ca_file;
  bool verify_tls = true;
  bool server_mode = false;      // CheckIncomingEmail + DeliverIncomingEmail
  bool state_in_create = false;  // statecode/statuscode in the create body instead of a PATCH
  bool bind_email = false;       // attachments bind objectid_email instead of activitypointer
  bool queue_items = true;       // put the e-mail into each accepting queue (dataverse_landing.h)
  bool queue_items_in_batch = true;  // ...by queueitems creates in its change set, else AddToQueue after it
  bool apply_record_rules = false;   // ApplyRecordCreationAndUpdateRule once the e-mail is there
  LookupSyntax duplicate_lookup = LookupSyntax::In;
  ParseLimits limits;
  std::chrono::milliseconds backoff_base{250};
  std::chrono::milliseconds backoff_max{30'000};
  std::size_t page_size = 5000;
};

}  // namespace crmr::dataverse
