// The few socket calls libcurl's CONNECT_ONLY mode leaves to us: wait until a
// socket is readable/writable, and cut a connection without a protocol
// goodbye. All POSIX calls of core/mailbox are in socket_posix.cc.
#pragma once

#include <chrono>
#include <cstdint>

namespace crmr {

enum class SocketWait { Ready, TimedOut, Failed };

// Wait until `sock` is readable (or writable) or `timeout` passes.
SocketWait wait_socket(std::int64_t sock, bool for_write, std::chrono::milliseconds timeout);

// Shut both directions of `sock` so that nothing more is sent on it (the
// owner, libcurl, still closes it).
void shutdown_socket(std::int64_t sock);

}  // namespace crmr
