// CurlHandle: the RAII, move-only owner of one libcurl easy handle, shared by
// the mailbox and CRM clients, and the one place libcurl is initialised
// (curl_global_init, once per process).
//
// No curl type appears here: libcurl declares its easy handle as
// `typedef void CURL`, so get() returns exactly what curl_easy_setopt takes
// in the .cc files of core/mailbox and core/crm that include <curl/curl.h>.
#pragma once

#include <memory>
#include <string_view>

#include "core/result.h"

namespace crmr {

class CurlHandle {
 public:
  // A fresh easy handle (initialising libcurl once per process), with an
  // error buffer, no signals and no verbose output. Error: `error_code`,
  // Scope::Run, when libcurl cannot be initialised or make a handle.
  static Result<CurlHandle> create(Code error_code);

  CurlHandle(CurlHandle&& o) noexcept;
  CurlHandle& operator=(CurlHandle&& o) noexcept;
  CurlHandle(const CurlHandle&) = delete;
  CurlHandle& operator=(const CurlHandle&) = delete;
  ~CurlHandle();

  // The CURL* (see above); valid while this handle lives.
  void* get() const { return h_; }
  // libcurl's last detailed error text (CURLOPT_ERRORBUFFER), may be empty.
  std::string_view error_text() const { return errbuf_ ? errbuf_.get() : ""; }
  // curl_easy_reset for reuse, keeping the settings create() made.
  void reset();

 private:
  CurlHandle() = default;
  void set_defaults();
  void* h_ = nullptr;
  std::unique_ptr<char[]> errbuf_;  // CURL_ERROR_SIZE bytes, address stays put on move
};

}  // namespace crmr
