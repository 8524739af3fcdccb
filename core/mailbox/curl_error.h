// The ONE place where libcurl failures of the mailbox protocols become
// crmr::Error (curl_error), and URL scrubbing for messages. The handle itself
// is core/base/curl_handle.h. Internal to core/mailbox.
#pragma once

#include <curl/curl.h>

#include <string>
#include <string_view>
#include <vector>

#include "core/base/curl_handle.h"
#include "core/result.h"

namespace crmr {

// `url` without user info, query or fragment, for messages.
std::string scrub_url(std::string_view url);

// A libcurl failure as an Error with Scope::Mailbox: login refused is
// "mailbox.auth" (Retry::Never), an unverifiable certificate "mailbox.tls"
// (Retry::Never, with a hint naming tls_ca_file), network trouble
// "mailbox.connect"/"mailbox.timeout"/"mailbox.network" (Retry::Later).
// `where` is a scrubbed URL; every string in `secrets` is masked out of the
// text libcurl produced.
Error curl_error(CURLcode code, const std::string& where, const CurlHandle& h,
                 const std::vector<std::string>& secrets);

}  // namespace crmr
