// Windows implementation of stdin_mode.h.
#include <fcntl.h>
#include <io.h>

#include <cstdio>

#include "core/sources/stdin_mode.h"

namespace crmr {

void set_stdin_binary() { _setmode(_fileno(stdin), _O_BINARY); }

}  // namespace crmr
