// ImapNamespace: where a user's folders live on an IMAP server (RFC 2342
// NAMESPACE, or the hierarchy separator from LIST "" ""), and how a folder
// name from the configuration becomes the server's name: Cyrus and Courier
// keep personal folders under "INBOX." (separator "."), so "Processed" there
// is "INBOX.Processed". Pure: parsed from responses, no I/O. Internal to core/mailbox.
#pragma once

#include <string>
#include <vector>

#include "core/mailbox/imap_parser.h"

namespace crmr {

struct ImapNamespace {
  bool known = false;               // the server answered NAMESPACE (or LIST for the separator)
  std::string personal_prefix;      // "" (Dovecot's default) or "INBOX." (Cyrus, Courier)
  std::string separator;            // "." or "/"; empty: flat or unknown
  std::vector<std::string> others;  // other users' and shared prefixes ("user.", "shared.")

  // Read "* NAMESPACE (personal) (other users) (shared)".
  void read_namespace(const ImapResponse& r);
  // Read the separator from "* LIST (\Noselect) "." """ (servers without NAMESPACE).
  void read_list(const ImapResponse& r);

  // The server's name for `folder`: INBOX (any case) and names already
  // inside a namespace stay; "/" becomes the separator; anything else gets
  // the personal prefix.
  std::string resolve(const std::string& folder) const;
  // personal prefix "INBOX.", separator "." (for `check` and messages).
  std::string describe() const;
};

}  // namespace crmr
