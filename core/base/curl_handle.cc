// CurlHandle and the one curl_global_init; see curl_handle.h.
#include "core/base/curl_handle.h"

#include <curl/curl.h>

#include <mutex>
#include <utility>

namespace crmr {
namespace {

bool global_init() {
  static std::once_flag once;
  static bool ok = false;
  std::call_once(once, [] { ok = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK; });
  return ok;
}

}  // namespace

Result<CurlHandle> CurlHandle::create(Code error_code) {
  if (!global_init())
    return fail(error_code, "libcurl could not be initialised", Scope::Run, Retry::Never);
  CurlHandle h;
  h.h_ = curl_easy_init();
  if (!h.h_) return fail(error_code, "libcurl could not make a handle", Scope::Run, Retry::Never);
  h.errbuf_ = std::make_unique<char[]>(CURL_ERROR_SIZE);
  h.set_defaults();
  return h;
}

void CurlHandle::set_defaults() {
  errbuf_[0] = '\0';
  curl_easy_setopt(h_, CURLOPT_ERRORBUFFER, errbuf_.get());
  curl_easy_setopt(h_, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h_, CURLOPT_VERBOSE, 0L);
}

void CurlHandle::reset() {
  curl_easy_reset(h_);
  set_defaults();
}

CurlHandle::CurlHandle(CurlHandle&& o) noexcept
    : h_(std::exchange(o.h_, nullptr)), errbuf_(std::move(o.errbuf_)) {}

CurlHandle& CurlHandle::operator=(CurlHandle&& o) noexcept {
  if (this != &o) {
    if (h_) curl_easy_cleanup(h_);
    h_ = std::exchange(o.h_, nullptr);
    errbuf_ = std::move(o.errbuf_);
  }
  return *this;
}

CurlHandle::~CurlHandle() {
  if (h_) curl_easy_cleanup(h_);
}

}  // namespace crmr
