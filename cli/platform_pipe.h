// The part of platform::command_first_line both platforms share: reading a
// command's output through its pipe (popen / _wpopen).
#pragma once

#include <cstdio>
#include <string>

namespace crmr::platform {

// The first line `pipe` gives, without its line end ("\n" or "\r\n"). The
// rest is read and dropped, so that the command is not cut off mid-write.
inline std::string first_line_of(std::FILE* pipe) {
  std::string line;
  bool have_line = false;
  int c;
  while ((c = std::fgetc(pipe)) != EOF) {
    if (have_line) continue;
    if (c == '\n') have_line = true;
    else line.push_back(static_cast<char>(c));
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

}  // namespace crmr::platform
