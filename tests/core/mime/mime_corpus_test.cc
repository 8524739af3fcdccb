// parse_message over the whole corpus: every file parses (or fails with a
// clear error) without crashing; and the throughput figure on the
// SpamAssassin mailing-list mbox.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "core/mime/message_key.h"
#include "core/mime/mime_parser.h"
#include "core/mime/unwrap.h"

namespace crmr {
namespace {

namespace fs = std::filesystem;

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Files that are not mail at all: corpus notes, lists and binary payloads.
bool skipped(const fs::path& p) {
  std::string name = p.filename().string();
  std::string ext = p.extension().string();
  for (const char* e : {".md", ".list", ".tnef", ".dat", ".png", ".jpg", ".gif", ".wav", ".gz", ".zip",
                        ".pdf", ".doc", ".xls", ".bin", ".ntx", ".html", ".py", ".rb", ".js", ".json"})
    if (ext == e) return true;
  return name == "README" || name.starts_with(".");
}

// Split an mbox at lines starting "From " (simple: no Content-Length).
std::vector<std::string_view> split_mbox(std::string_view all) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (std::size_t p = 0; p < all.size();) {
    std::size_t nl = all.find('\n', p);
    if (nl == std::string_view::npos) nl = all.size();
    if (p != 0 && all.substr(p, 5) == "From ") {
      out.push_back(all.substr(start, p - start));
      start = p;
    }
    p = nl + 1;
  }
  if (start < all.size()) out.push_back(all.substr(start));
  return out;
}

TEST(MimeCorpus, EveryFileParsesWithoutCrashing) {
  std::size_t files = 0, parsed = 0, errors = 0, unwrapped = 0;
  double slowest = 0;
  std::string slowest_file;
  for (const auto& entry : fs::recursive_directory_iterator(CRMR_CORPUS_DIR)) {
    if (!entry.is_regular_file() || skipped(entry.path())) continue;
    std::string raw = read_file(entry.path());
    ++files;
    auto t0 = std::chrono::steady_clock::now();
    auto r = parse_message(raw);
    if (r) {
      ++parsed;
      EXPECT_FALSE(message_key(*r, raw).empty()) << entry.path();
      if (auto u = unwrap_forward(*r)) ++unwrapped;
    } else {
      ++errors;
      EXPECT_TRUE(r.error().code == Code::ParseEmpty || r.error().code == Code::ParseNotAMessage)
          << entry.path() << ": " << r.error().code_name();
    }
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (s > slowest) slowest = s, slowest_file = entry.path().string();
  }
  EXPECT_GT(files, 900u);
  EXPECT_GT(parsed, files * 9 / 10);
  std::cout << "[ corpus   ] " << files << " files: " << parsed << " parsed, " << errors
            << " not mail, " << unwrapped << " forwards unwrapped\n";
  std::cout << "[ speed    ] slowest corpus file to parse: " << slowest * 1000 << " ms ("
            << slowest_file << ")\n";
}

TEST(MimeCorpus, SpamAssassinMboxThroughput) {
  std::string all =
      read_file(fs::path(CRMR_CORPUS_DIR) / "spamassassin-public/easy-ham-mailing-lists.mboxrd");
  ASSERT_GT(all.size(), 10u * 1024 * 1024);
  std::vector<std::string_view> msgs = split_mbox(all);
  EXPECT_GT(msgs.size(), 3800u);
  std::size_t ok = 0, with_date = 0, with_from = 0;
  auto t0 = std::chrono::steady_clock::now();
  for (std::string_view m : msgs) {
    auto r = parse_message(m);
    if (!r) continue;
    ++ok;
    with_date += r->date.has_value();
    with_from += !r->from.empty();
  }
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_EQ(ok, msgs.size());
  EXPECT_EQ(with_date, msgs.size());
  EXPECT_EQ(with_from, msgs.size());
  std::cout << "[ speed    ] " << msgs.size() << " messages in " << s << " s: "
            << static_cast<long>(msgs.size() / s) << " messages/s, " << all.size() / s / 1e6
            << " MB/s\n";
}

}  // namespace
}  // namespace crmr
