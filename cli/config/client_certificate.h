// The certificate credential of an OAuth 2.0 client (the [crm] section's and a
// mailbox's oauth2 table's `certificate` and `certificate_key`): the PEM files
// read through the one secrets reader, and the signer of client assertions
// made from them (core/crm/client_assertion.h).
#pragma once

#include <string>
#include <vector>

#include "core/crm/client_assertion.h"
#include "core/result.h"

namespace crmr {

// The signer for PEM file `certificate` (the certificate, and its key unless
// `key` names the key's own PEM file; `key` may be ""). `setting` names the
// settings in messages, e.g. "[crm] " or "mailbox exo: oauth2." (the key name
// follows it). A file that group or others may read is warned about in
// `warnings`. Failure: code "config.secret" (a file cannot be read or is
// empty) or "auth.certificate" (not a usable certificate and RSA key), both
// Retry::Never; the caller re-scopes them. The key never appears in an error.
Result<dataverse::ClientAssertionSigner> load_client_certificate(const std::string& certificate,
                                                                 const std::string& key,
                                                                 const std::string& setting,
                                                                 std::vector<std::string>& warnings);

}  // namespace crmr
