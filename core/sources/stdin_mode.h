// Standard input as raw bytes: mail read from a pipe must reach us unchanged.
// POSIX streams are already binary (stdin_mode_posix.cc); the Windows C
// runtime turns CR LF into LF unless told otherwise (stdin_mode_windows.cc).
#pragma once

namespace crmr {

// Put standard input in binary mode; call before the first read.
void set_stdin_binary();

}  // namespace crmr
