// Output: where commands write for the user. Library code never prints; the
// commands write here, and tests capture it by passing string streams.
#pragma once

#include <iosfwd>
#include <string>

namespace crmr {

class Output {
 public:
  // verbosity: -1 quiet (-q), 0 normal, 1+ verbose (-v, -vv).
  Output(std::ostream& out, std::ostream& err, int verbosity, bool progress);

  std::ostream& out() { return out_; }
  int verbosity() const { return verbosity_; }
  bool quiet() const { return verbosity_ < 0; }
  bool progress_enabled() const { return progress_; }

  // A normal line on stdout (suppressed by -q).
  void info(const std::string& line);
  // A line on stdout only with -v.
  void detail(const std::string& line);
  // A problem on stderr, always shown.
  void error(const std::string& line);
  // A warning on stderr (suppressed by -q).
  void warn(const std::string& line);

  // Progress line on stderr, redrawn in place (only when progress is enabled).
  void progress(const std::string& line);
  void progress_done();

 private:
  std::ostream& out_;
  std::ostream& err_;
  int verbosity_;
  bool progress_;
  bool progress_shown_ = false;
};

}  // namespace crmr
