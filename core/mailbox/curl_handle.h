// CurlHandle: the RAII, move-only owner of one libcurl easy handle, and the
// ONE place where libcurl failures become crmr::Error (curl_error). Internal
// to core/net: no header outside this folder includes curl.
#pragma once

#include <curl/curl.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace crmr {

class CurlHandle {
 public:
  // A fresh easy handle (initialising libcurl once per process). Error:
  // Scope::Run when libcurl cannot be initialised.
  static Result<CurlHandle> create();

  CurlHandle(CurlHandle&& o) noexcept;
  CurlHandle& operator=(CurlHandle&& o) noexcept;
  CurlHandle(const CurlHandle&) = delete;
  CurlHandle& operator=(const CurlHandle&) = delete;
  ~CurlHandle();

  CURL* get() const { return h_; }
  // libcurl's last detailed error text (CURLOPT_ERRORBUFFER), may be empty.
  std::string_view error_text() const { return errbuf_ ? errbuf_.get() : ""; }

 private:
  CurlHandle() = default;
  CURL* h_ = nullptr;
  std::unique_ptr<char[]> errbuf_;  // CURL_ERROR_SIZE bytes, address stays put on move
};

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
