// Helpers shared by the source tests: drain a MailSource into a value.
#pragma once

#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "core/mail_source.h"
#include "core/sources/open_source.h"
#include "tests/support/temp_dir.h"

namespace crmr::test {

inline const std::string kCorpus = CRMR_CORPUS_DIR;
inline const std::string kData = std::string(CRMR_TEST_DATA_DIR) + "/sources";

// Everything a source yields: messages, per-message errors, and the error
// that ended it (if any).
struct Drained {
  std::vector<RawMessage> messages;
  std::vector<Error> message_errors;
  std::optional<Error> fatal;
};

inline Drained drain(MailSource& src) {
  Drained d;
  for (int guard = 0; guard < 1'000'000; ++guard) {
    auto r = src.next();
    if (!r) {
      if (r.error().scope == Scope::Message) {
        d.message_errors.push_back(r.error());
        continue;
      }
      d.fatal = r.error();
      break;
    }
    if (!*r) break;
    d.messages.push_back(std::move(**r));
  }
  return d;
}

inline Drained drain_path(const std::string& path, const SourceOptions& opts = {}) {
  auto src = open_source(path, opts);
  if (!src) return Drained{{}, {}, src.error()};
  return drain(**src);
}

inline std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline void write_file(const std::filesystem::path& path, const std::string& bytes) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary);
  out << bytes;
}

// The body of a raw message: what follows the first empty line.
inline std::string body_of(const std::string& raw) {
  auto at = raw.find("\n\n");
  auto crlf = raw.find("\r\n\r\n");
  if (crlf != std::string::npos && (at == std::string::npos || crlf < at)) return raw.substr(crlf + 4);
  return at == std::string::npos ? std::string() : raw.substr(at + 2);
}

}  // namespace crmr::test
