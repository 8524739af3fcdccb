// Every message of the real corpus (../shared/corpus) through read, parse and
// decide: nothing crashes or hangs, every mbox splits to its independent
// count, and the figures per source are printed for the closing notes.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <iostream>

#include "core/decision/decision.h"
#include "core/mime/message_key.h"
#include "core/mime/mime_parser.h"
#include "core/sources/open_source.h"
#include "core/mime/unwrap.h"
#include "storage/store.h"
#include "tests/support/result_matchers.h"

namespace crmr {
namespace {

namespace fs = std::filesystem;

struct Tally {
  std::uint64_t messages = 0, warnings = 0, parse_errors = 0, read_errors = 0;
  double seconds = 0;
};

// Read, parse, unwrap and decide every message of `path`.
Tally run_through(const fs::path& path, const Store& cache) {
  Tally t;
  auto start = std::chrono::steady_clock::now();
  auto src = open_source(path.string());
  EXPECT_OK(src) << path;
  if (!src) return t;
  Policy policy;
  for (;;) {
    auto next = (*src)->next();
    if (!next) {
      ++t.read_errors;
      if (next.error().scope != Scope::Message) break;
      continue;
    }
    if (!next->has_value()) break;
    ++t.messages;
    auto msg = parse_message((**next).bytes);
    if (!msg) {
      ++t.parse_errors;
      continue;
    }
    t.warnings += msg->warnings.size();
    if (auto un = unwrap_forward(*msg)) {
      Policy p = policy;
      p.forwarded_by = un->forwarded_by;
      decide(un->inner, message_key(un->inner, un->inner_raw), cache, p);
    }
    Decision d = decide(*msg, message_key(*msg, (**next).bytes), cache, policy);
    EXPECT_FALSE(d.reason.empty()) << path << " " << (**next).position;
  }
  t.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return t;
}

class Corpus : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(CRMR_CORPUS_DIR)) GTEST_SKIP() << "corpus not found at " << CRMR_CORPUS_DIR;
    auto s = Store::open(":memory:", OpenMode::ReadWrite);
    ASSERT_TRUE(s.has_value());
    store_ = std::move(*s);
  }
  std::unique_ptr<Store> store_;
};

TEST_F(Corpus, EveryFolderReadsParsesAndDecides) {
  std::uint64_t total = 0;
  for (const auto& entry : fs::directory_iterator(CRMR_CORPUS_DIR)) {
    if (!entry.is_directory()) continue;
    Tally t = run_through(entry.path(), *store_);
    std::cout << "[corpus] " << entry.path().filename().string() << ": " << t.messages
              << " messages, " << t.warnings << " warnings, " << t.parse_errors
              << " parse errors, " << t.read_errors << " read errors, " << t.seconds << " s\n";
    // tnef/ and ytnef/ hold bare TNEF streams, not messages: their files are
    // reported as unknown content (read errors) and nothing else happens.
    const auto name = entry.path().filename().string();
    if (name != "tnef" && name != "ytnef") {
      EXPECT_GT(t.messages, 0u) << entry.path();
    }
    total += t.messages;
  }
  std::cout << "[corpus] total: " << total << " messages\n";
  EXPECT_GT(total, 5000u);
}

TEST_F(Corpus, SpamAssassinMboxHas3900Messages) {
  // 3900 = grep -c '^From ' (the corpus README: every From_ line starts a message).
  Tally t = run_through(fs::path(CRMR_CORPUS_DIR) / "spamassassin-public" /
                            "easy-ham-mailing-lists.mboxrd",
                        *store_);
  EXPECT_EQ(t.messages, 3900u);
  EXPECT_EQ(t.parse_errors, 0u);
  EXPECT_EQ(t.read_errors, 0u);
}

TEST_F(Corpus, NotmuchMaildirReadsEveryFile) {
  // Independent count: find .../lkml -type f | wc -l
  fs::path lkml = fs::path(CRMR_CORPUS_DIR) / "notmuch" / "test" / "corpora" / "lkml";
  std::uint64_t files = 0;
  for (const auto& e : fs::recursive_directory_iterator(lkml))
    if (e.is_regular_file()) ++files;
  Tally t = run_through(lkml, *store_);
  EXPECT_EQ(t.messages, files);
  EXPECT_EQ(t.parse_errors, 0u);
}

}  // namespace
}  // namespace crmr
