// Windows implementation of socket_wait.h (Winsock; libcurl has already
// called WSAStartup through curl_global_init).
#include <winsock2.h>

#include "core/mailbox/socket_wait.h"

namespace crmr {

SocketWait wait_socket(std::int64_t sock, bool for_write, std::chrono::milliseconds timeout) {
  WSAPOLLFD p{};
  p.fd = static_cast<SOCKET>(sock);
  p.events = static_cast<SHORT>(for_write ? POLLWRNORM : POLLRDNORM);
  int n = WSAPoll(&p, 1, static_cast<INT>(timeout.count()));
  if (n > 0) return SocketWait::Ready;  // POLLHUP/POLLERR: the next recv/send reports it
  if (n == 0) return SocketWait::TimedOut;
  return SocketWait::Failed;
}

void shutdown_socket(std::int64_t sock) { ::shutdown(static_cast<SOCKET>(sock), SD_BOTH); }

}  // namespace crmr
