// Message identity (core/mime/message_key.h) and the SHA-256 it relies on.
#include "core/mime/message_key.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "core/mime/mime_parser.h"
#include "core/base/sha256.h"

namespace crmr {
namespace {

TEST(Sha256, FipsVectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(sha256_hex("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu"),
            "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
  EXPECT_EQ(sha256_hex(std::string(1000000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, IncrementalUpdatesMatchOneShot) {
  std::string data;
  for (int i = 0; i < 1000; ++i) data += static_cast<char>(i * 7);
  for (std::size_t step : {1u, 3u, 63u, 64u, 65u, 500u}) {
    Sha256 h;
    for (std::size_t i = 0; i < data.size(); i += step) h.update(std::string_view(data).substr(i, step));
    auto d = h.digest();
    std::string hex;
    for (auto b : d) {
      const char* digits = "0123456789abcdef";
      hex += digits[b >> 4];
      hex += digits[b & 15];
    }
    EXPECT_EQ(hex, sha256_hex(data)) << step;
  }
}

Message parse(std::string_view raw) {
  auto r = parse_message(raw);
  EXPECT_TRUE(r);
  return r ? *r : Message{};
}

TEST(MessageKey, IsTheNormalisedMessageId) {
  std::string raw = "Message-ID:  <AbC@Mail.Example.COM> \nSubject: s\n\nbody\n";
  EXPECT_EQ(message_key(parse(raw), raw), "AbC@mail.example.com");
}

const char* kNoId =
    "From: Jane <jane@example.com>\n"
    "To: bob@example.org\n"
    "Subject: =?utf-8?Q?caf=C3=A9?=\n"
    "Date: Tue, 1 Jul 2003 10:52:37 +0200\n"
    "\n"
    "Hello Bob,   \n"
    "From the start.\n"
    "Bye\n";

std::string crlf(std::string_view lf) {
  std::string out;
  for (char c : lf) {
    if (c == '\n') out += '\r';
    out += c;
  }
  return out;
}

TEST(MessageKey, WithoutIdIsAStableDigestAcrossSources) {
  std::string imap = crlf(kNoId);
  std::string mbox = std::string("From jane@example.com Tue Jul  1 10:52:37 2003\n") + kNoId;
  // mboxo/mboxrd quoting of the body's "From " line, and the trailing blank line.
  mbox.replace(mbox.find("\nFrom the"), 9, "\n>From the");
  mbox += "\n";
  std::string key = message_key(parse(imap), imap);
  EXPECT_TRUE(key.starts_with("sha256:"));
  EXPECT_EQ(key.size(), 7u + 64u);
  EXPECT_EQ(message_key(parse(mbox), mbox), key);
  EXPECT_EQ(message_key(parse(kNoId), kNoId), key);
  // Header order and folding do not matter; the content does.
  std::string reordered = std::string("Date: Tue, 01 Jul 2003 08:52:37 GMT\n") + kNoId;
  reordered.erase(reordered.find("Date: Tue, 1 Jul"), std::string("Date: Tue, 1 Jul 2003 10:52:37 +0200\n").size());
  EXPECT_EQ(message_key(parse(reordered), reordered), key);
}

TEST(MessageKey, DifferentContentGivesDifferentKeys) {
  std::string base = kNoId;
  std::string key = message_key(parse(base), base);
  for (auto [from, to] : {std::pair{"Subject: =?utf-8?Q?caf=C3=A9?=", "Subject: cafe"},
                          std::pair{"bob@example.org", "carol@example.org"},
                          std::pair{"Bye", "Cheers"},
                          std::pair{"10:52:37", "10:52:38"}}) {
    std::string changed = base;
    changed.replace(changed.find(from), std::string_view(from).size(), to);
    EXPECT_NE(message_key(parse(changed), changed), key) << to;
  }
}

TEST(MessageKey, CorpusMessageFromMboxAndImapAgree) {
  std::ifstream in(std::string(CRMR_CORPUS_DIR) + "/spamassassin-public/easy-ham-mailing-lists.mboxrd",
                   std::ios::binary);
  std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_FALSE(all.empty());
  std::string first = all.substr(0, all.find("\nFrom ", 1) + 1);
  // Drop the Message-ID to force the digest.
  std::size_t mid = first.find("\nMessage-Id:");
  if (mid == std::string::npos) mid = first.find("\nMessage-ID:");
  ASSERT_NE(mid, std::string::npos);
  first.erase(mid + 1, first.find('\n', mid + 1) - mid);
  std::string imap = crlf(first.substr(first.find('\n') + 1));
  std::string key = message_key(parse(first), first);
  EXPECT_TRUE(key.starts_with("sha256:"));
  EXPECT_EQ(message_key(parse(imap), imap), key);
}

}  // namespace
}  // namespace crmr
