#include "core/base/normalize.h"

#include <gtest/gtest.h>

namespace crmr {
namespace {

struct Case {
  const char* in;
  const char* want;
};

TEST(NormalizeAddress, LowercasesAndStripsAngles) {
  const Case cases[] = {
      {"Jane.Doe@Example.COM", "jane.doe@example.com"},
      {"  <bob@x.example>  ", "bob@x.example"},
      {"", ""},
  };
  for (const auto& c : cases) EXPECT_EQ(normalize_address(c.in), c.want) << c.in;
}

TEST(NormalizeMessageId, KeepsLocalPartCaseLowersDomain) {
  const Case cases[] = {
      {"<CAF1234@Mail.Example.COM>", "CAF1234@mail.example.com"},
      {" <abc@def> ", "abc@def"},
      {"no-at-sign", "no-at-sign"},
      {"<a@b@C>", "a@b@c"},
      {"", ""},
  };
  for (const auto& c : cases) EXPECT_EQ(normalize_message_id(c.in), c.want) << c.in;
}

TEST(NormalizeToken, RemovesSpaceAndUppercases) {
  EXPECT_EQ(normalize_token("crm: 00010001"), "CRM:00010001");
  EXPECT_EQ(normalize_token("CRM:0001001"), "CRM:0001001");
}

TEST(Base64, RoundTrips) {
  for (std::string s : {"", "a", "ab", "abc", "abcd", "hello world\x01\xff"}) {
    auto enc = base64_encode(s);
    auto dec = base64_decode(enc);
    ASSERT_TRUE(dec.has_value()) << enc;
    EXPECT_EQ(*dec, s);
  }
  EXPECT_FALSE(base64_decode("ab!c").has_value());
}

TEST(ConversationKey, TakesFirst22Bytes) {
  std::string raw(27, '\x01');
  raw[0] = '\x01';
  auto key = conversation_key(base64_encode(raw));
  ASSERT_TRUE(key.has_value());
  EXPECT_EQ(key->size(), 44u);
  // The same conversation with an extra child block has the same key.
  auto child = conversation_key(base64_encode(raw + std::string(5, '\x02')));
  EXPECT_EQ(key, child);
  EXPECT_FALSE(conversation_key(base64_encode("short")).has_value());
}

TEST(SubjectHashes, IgnoreReplyPrefixesAndCase) {
  const std::string re = R"(^[\s]*([\w]+\s?:[\s]*)+)";
  EXPECT_EQ(subject_hashes("RE: FW: Quote for Widgets", re, 20),
            subject_hashes("quote for widgets", re, 20));
  EXPECT_NE(subject_hashes("Quote for gadgets", re, 20),
            subject_hashes("Quote for widgets", re, 20));
  EXPECT_LE(subject_hashes("a b c d e f", re, 3).size(), 3u);
}

// The default filter is matched without std::regex; a pattern that differs
// only by its non-capturing group goes through std::regex: both must remove
// the same prefix from any subject.
TEST(SubjectHashes, DefaultFilterMatchesAsStdRegexDoes) {
  const std::string fast = R"(^[\s]*([\w]+\s?:[\s]*)+)";
  const std::string slow = R"(^[\s]*(?:[\w]+\s?:[\s]*)+)";
  const std::string alphabet = std::string(" \t\v\r\n:aZ_9-.") + "\xC3\xA9";
  std::uint32_t seed = 12345;
  auto next = [&] { return seed = seed * 1103515245u + 12345u, (seed >> 16) & 0x7fff; };
  for (int n = 0; n < 20000; ++n) {
    std::string subject;
    for (std::uint32_t len = next() % 12; len > 0; --len) subject += alphabet[next() % alphabet.size()];
    subject += n % 2 ? " Order 12 update" : "";
    ASSERT_EQ(subject_hashes(subject, fast, 0), subject_hashes(subject, slow, 0))
        << "subject \"" << subject << "\"";
  }
  for (const char* subject : {"RE: FW: Quote", " re :AW:  x", "RE:", "RE : x", "RE  : x",
                              "a:b:c: d", ":RE: x", "RE:\tFW:\n x", "  ", ""})
    EXPECT_EQ(subject_hashes(subject, fast, 0), subject_hashes(subject, slow, 0)) << subject;
}

}  // namespace
}  // namespace crmr
