// TlsSessions: a libcurl share of TLS sessions; see core/mailbox_session.h.
#include <curl/curl.h>

#include <array>
#include <mutex>

#include "core/mailbox_session.h"

namespace crmr {

class TlsSessions {
 public:
  TlsSessions() : share_(curl_share_init()) {
    if (!share_) return;
    curl_share_setopt(share_, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
    curl_share_setopt(share_, CURLSHOPT_LOCKFUNC, &TlsSessions::lock);
    curl_share_setopt(share_, CURLSHOPT_UNLOCKFUNC, &TlsSessions::unlock);
    curl_share_setopt(share_, CURLSHOPT_USERDATA, this);
  }
  ~TlsSessions() {
    if (share_) curl_share_cleanup(share_);
  }
  TlsSessions(const TlsSessions&) = delete;
  TlsSessions& operator=(const TlsSessions&) = delete;

  CURLSH* handle() const { return share_; }

 private:
  // Mailbox threads connect at once: libcurl asks for the lock of the data
  // it touches (one mutex per kind).
  static void lock(CURL*, curl_lock_data data, curl_lock_access, void* self) {
    static_cast<TlsSessions*>(self)->locks_[index(data)].lock();
  }
  static void unlock(CURL*, curl_lock_data data, void* self) {
    static_cast<TlsSessions*>(self)->locks_[index(data)].unlock();
  }
  static std::size_t index(curl_lock_data d) {
    auto i = static_cast<std::size_t>(d);
    return i < CURL_LOCK_DATA_LAST ? i : 0;
  }

  CURLSH* share_ = nullptr;
  std::array<std::mutex, CURL_LOCK_DATA_LAST> locks_;
};

std::shared_ptr<TlsSessions> make_tls_sessions() { return std::make_shared<TlsSessions>(); }

void* tls_sessions_handle(const TlsSessions& s) { return s.handle(); }

}  // namespace crmr
