// Output: where commands write for the user. Library code never prints; the
// commands write here, and tests capture it by passing string streams.
#pragma once

#include <functional>
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
  // A problem on stderr, always shown (and logged).
  void error(const std::string& line);
  // A problem already logged when it happened, repeated on stderr for the
  // person at the terminal (always shown, not logged a second time).
  void remind(const std::string& line);
  // A warning on stderr (suppressed by -q; logged even then).
  void warn(const std::string& line);

  // Where errors and warnings go besides stderr: the log file or syslog
  // (set when the log is not stderr itself). `warning` false: an error.
  using LogHook = std::function<void(bool warning, const std::string& line)>;
  void set_log(LogHook hook) { log_ = std::move(hook); }

  // Progress line on stderr, redrawn in place (only when progress is enabled).
  void progress(const std::string& line);
  void progress_done();

 private:
  std::ostream& out_;
  std::ostream& err_;
  int verbosity_;
  bool progress_;
  bool progress_shown_ = false;
  LogHook log_;
};

}  // namespace crmr
