// POSIX implementation of stdin_mode.h: streams have no text mode.
#include "core/sources/stdin_mode.h"

namespace crmr {

void set_stdin_binary() {}

}  // namespace crmr
