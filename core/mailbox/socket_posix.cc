// POSIX implementation of socket_wait.h.
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>

#include "core/mailbox/socket_wait.h"

namespace crmr {

SocketWait wait_socket(std::int64_t sock, bool for_write, std::chrono::milliseconds timeout) {
  pollfd p{static_cast<int>(sock), static_cast<short>(for_write ? POLLOUT : POLLIN), 0};
  for (;;) {
    int n = ::poll(&p, 1, static_cast<int>(timeout.count()));
    if (n > 0) return SocketWait::Ready;  // POLLHUP/POLLERR: the next recv/send reports it
    if (n == 0) return SocketWait::TimedOut;
    if (errno != EINTR) return SocketWait::Failed;
  }
}

void shutdown_socket(std::int64_t sock) { ::shutdown(static_cast<int>(sock), SHUT_RDWR); }

}  // namespace crmr
