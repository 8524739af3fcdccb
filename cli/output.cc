#include "cli/output.h"

#include <ostream>

namespace crmr {

Output::Output(std::ostream& out, std::ostream& err, int verbosity, bool progress)
    : out_(out), err_(err), verbosity_(verbosity), progress_(progress && verbosity >= 0) {}

void Output::info(const std::string& line) {
  if (quiet()) return;
  progress_done();
  out_ << line << '\n';
}

void Output::detail(const std::string& line) {
  if (verbosity_ < 1) return;
  progress_done();
  out_ << line << '\n';
}

void Output::error(const std::string& line) {
  if (log_) log_(false, line);
  progress_done();
  err_ << "crm-router: " << line << '\n';
}

void Output::remind(const std::string& line) {
  progress_done();
  err_ << "crm-router: " << line << '\n';
}

void Output::warn(const std::string& line) {
  if (log_) log_(true, line);
  if (quiet()) return;
  progress_done();
  err_ << "crm-router: warning: " << line << '\n';
}

void Output::progress(const std::string& line) {
  if (!progress_) return;
  err_ << '\r' << line << "\x1b[K" << std::flush;
  progress_shown_ = true;
}

void Output::progress_done() {
  if (!progress_shown_) return;
  err_ << '\r' << "\x1b[K" << std::flush;
  progress_shown_ = false;
}

}  // namespace crmr
