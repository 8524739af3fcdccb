// decide() on header values taken from the real corpus (CRMR_CORPUS_DIR). The
// decision library does not parse MIME, so these tests read the top-level
// header block themselves and build the Message from it.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "core/decision/decision.h"
#include "tests/core/decision/decision_fixture.h"

namespace crmr {
namespace {

using test::find_step;
using test::mail;
using test::MemoryCache;

// The unfolded top-level headers of a message file (a leading mbox "From " line
// is skipped).
std::vector<Header> read_headers(const std::string& relative) {
  std::ifstream in(std::string(CRMR_CORPUS_DIR) + "/" + relative, std::ios::binary);
  EXPECT_TRUE(in) << relative;
  std::vector<Header> out;
  std::string line;
  bool first = true;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (first && line.rfind("From ", 0) == 0) {
      first = false;
      continue;
    }
    first = false;
    if (line.empty()) break;
    if ((line[0] == ' ' || line[0] == '\t') && !out.empty()) {
      out.back().value += " " + line.substr(line.find_first_not_of(" \t"));
      continue;
    }
    auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    auto value = line.substr(colon + 1);
    auto start = value.find_first_not_of(" \t");
    out.push_back({line.substr(0, colon), start == std::string::npos ? "" : value.substr(start)});
  }
  return out;
}

std::string header(const std::vector<Header>& headers, const std::string& name) {
  for (const auto& h : headers)
    if (h.name == name) return h.value;
  return {};
}

TEST(DecisionCorpus, RealAutoSubmittedHeadersAreAutoReplies) {
  const std::vector<std::string> files = {
      "flanker/tests/fixtures/messages/bounce/mailbox-full.eml",
      "flanker/tests/fixtures/messages/bounce/zed.eml",
      "flanker/tests/fixtures/messages/bounce/office365.eml",
      "mikel-mail/spec/fixtures/emails/multipart_report_emails/report_422.eml",
      "mimekit/UnitTests/TestData/messages/bounce.txt",
  };
  MemoryCache cache;
  cache.queue("sales@contoso.example", "q-1", 0);
  for (const auto& f : files) {
    auto m = mail("mailer-daemon@bounce.example", {"sales@contoso.example"});
    m.headers = read_headers(f);
    ASSERT_FALSE(m.headers.empty()) << f;
    auto d = decide(m, "k", cache, Policy{});
    EXPECT_EQ(d.reason, "AutoReply") << f;
    EXPECT_TRUE(test::contains(find_step(d, "hygiene.auto_reply")->detail, "auto-"))
        << f;
  }
}

TEST(DecisionCorpus, RealReceivedChainsAreNoLoop) {
  // lkml messages carry long but honest Received chains.
  auto headers = read_headers("notmuch/test/corpora/lkml/cur/1382298775.002999:2,");
  ASSERT_FALSE(headers.empty());
  MemoryCache cache;
  cache.queue("sales@contoso.example", "q-1", 0);
  auto m = mail("dev@kernel.example", {"sales@contoso.example"});
  m.headers = headers;
  EXPECT_EQ(decide(m, "k", cache, Policy{}).reason, "AcceptAll");
  Policy strict;
  strict.max_received_headers = 1;
  EXPECT_EQ(decide(m, "k", cache, strict).reason, "MailLoop");
}

TEST(DecisionCorpus, RealThreadIndexCorrelatesWithItsConversationRoot) {
  const std::vector<std::string> files = {
      "hunnysoft-via-mail-mime-parser/tests/_data/emails/m4006.txt",
      "mimekit/UnitTests/TestData/tnef/rich-text.eml",
      "mimekit/UnitTests/TestData/tnef/ukr.eml",
  };
  for (const auto& f : files) {
    auto thread_index = header(read_headers(f), "Thread-Index");
    ASSERT_FALSE(thread_index.empty()) << f;
    auto raw = base64_decode(thread_index);
    ASSERT_TRUE(raw && raw->size() >= 22) << f;
    MemoryCache cache;
    cache.user("bob@contoso.example", "u-bob", 1);
    // The CRM tracked the first message of the conversation: the 22-byte header only.
    cache.tracked.push_back(
        test::Tracked("act-root").conversation_index(base64_encode(raw->substr(0, 22))));
    auto m = mail("customer@else.example", {"bob@contoso.example"});
    m.thread_index = thread_index;
    auto d = decide(m, "k", cache, Policy{});
    EXPECT_EQ(d.correlation, Correlation::ConversationIndex) << f;
    EXPECT_EQ(d.correlated_activity_id, "act-root") << f;
  }
}

}  // namespace
}  // namespace crmr
