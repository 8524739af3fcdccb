// Fuzz entry points: one function per fuzz target, each feeding arbitrary
// bytes to one parser of hostile input. The libFuzzer executables
// (fuzz_main.cc, one per target) and the regression test (regression_test.cc,
// which replays the saved crash inputs and seeds in the normal build) call the
// same functions, so a fixed crash stays fixed.
//
// An entry never fails: whatever the parser returns (a value or an Error) is
// accepted; only crashes, hangs, leaks and sanitizer reports are findings.
// Entries keep no state between calls.
#pragma once

#include <string_view>
#include <vector>

namespace crmr::fuzz {

void run_mime(std::string_view data);            // parse_message
void run_mbox(std::string_view data);            // open_istream + next() to the end
void run_encoded_words(std::string_view data);   // decode_header_text, decode_rfc2231, to_utf8
void run_tracking_token(std::string_view data);  // find_tracking_token
void run_config(std::string_view data);          // load_config on a temporary file
void run_cache_import(std::string_view data);    // import_cache_file into a :memory: Store
void run_imap(std::string_view data);            // ImapFramer + parse_imap_response
void run_pop3(std::string_view data);            // Pop3Reader
void run_webapi(std::string_view data);          // Dataverse response parsers

struct Target {
  const char* name;  // the folder name under seeds/ and regressions/
  void (*run)(std::string_view data);
};

// Every target, in a fixed order.
const std::vector<Target>& targets();

// Splits fuzz input into a few control bytes and the rest. Reads past the end
// give 0. Shared by the entries that derive settings from the input.
class InputReader {
 public:
  explicit InputReader(std::string_view data) : data_(data) {}
  unsigned char byte() {
    if (data_.empty()) return 0;
    auto b = static_cast<unsigned char>(data_.front());
    data_.remove_prefix(1);
    return b;
  }
  // Up to the first `sep` (not included; the separator is consumed), or everything.
  std::string_view until(char sep) {
    auto pos = data_.find(sep);
    auto out = data_.substr(0, pos);
    data_.remove_prefix(pos == std::string_view::npos ? data_.size() : pos + 1);
    return out;
  }
  std::string_view rest() const { return data_; }

 private:
  std::string_view data_;
};

}  // namespace crmr::fuzz
