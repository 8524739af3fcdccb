// Address lists and message-id lists (core/mime/address.h).
#include "core/mime/address.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace crmr {
namespace {

struct AddrCase {
  const char* raw;
  std::vector<Address> want;
};


std::string show(const std::vector<Address>& v) {
  std::string s;
  for (const auto& a : v) s += "[" + a.name + "|" + a.address + "]";
  return s;
}

TEST(ParseAddressList, ReadsNamesAddressesAndGroups) {
  const AddrCase cases[] = {
      {"jane@example.com", {{"", "jane@example.com"}}},
      {"Jane Doe <Jane.Doe@Example.com>", {{"Jane Doe", "Jane.Doe@Example.com"}}},
      {"\"Doe, Jane\" <jane@x.org>, bob@y.org", {{"Doe, Jane", "jane@x.org"}, {"", "bob@y.org"}}},
      {"=?ISO-8859-1?Q?Keld_J=F8rn_Simonsen?= <keld@dkuug.dk>", {{"Keld Jørn Simonsen", "keld@dkuug.dk"}}},
      {"=?utf-8?Q?Doe,_Jane?= <jane@x.org>", {{"Doe, Jane", "jane@x.org"}}},
      {"\"=?utf-8?B?w6k=?=\" <e@x.org>", {{"é", "e@x.org"}}},
      {"jane@x.org (Jane Doe)", {{"Jane Doe", "jane@x.org"}}},
      {"Team: a@x.org, B <b@x.org>; c@y.org", {{"", "a@x.org"}, {"B", "b@x.org"}, {"", "c@y.org"}}},
      {"undisclosed-recipients:;", {}},
      {"<@route.example,@b.example:jane@x.org>", {{"", "jane@x.org"}}},
      {"<mailto:jane@x.org>", {{"", "jane@x.org"}}},
      {"jane @ x.org", {{"", "jane@x.org"}}},
      {"MAILER-DAEMON", {{"", "MAILER-DAEMON"}}},
      {"Caf\xE9 Owner <owner@cafe.example>", {{"Café Owner", "owner@cafe.example"}}},
      {"\"unterminated <a@b.c>", {}},
      {"Broken <a@b.c", {{"Broken", "a@b.c"}}},
      {",,, ;; >> ))", {}},
      {"", {}},
  };
  for (const auto& c : cases) EXPECT_EQ(show(parse_address_list(c.raw)), show(c.want)) << c.raw;
}

TEST(ParseAddressList, GarbageNeverThrows) {
  std::string junk;
  for (int i = 0; i < 2000; ++i) junk += "\"(<=?:;,@\\";
  EXPECT_NO_THROW(parse_address_list(junk));
}

struct IdCase {
  const char* raw;
  std::vector<std::string> want;
};

TEST(ParseMessageIdList, NormalisesAndSkipsComments) {
  const IdCase cases[] = {
      {"<a@B.Example>", {"a@b.example"}},
      {"<a@b> <c@d>", {"a@b", "c@d"}},
      {"<a@b>\r\n\t<c@d>", {"a@b", "c@d"}},
      {"<a@b> (Jane's message of \"Mon <x@y>\")", {"a@b"}},
      {"Your message of Mon, 1 Jan 2001 <CAF@Mail.Example>", {"CAF@mail.example"}},
      {"bare@id.example", {"bare@id.example"}},
      {"<>", {}},
      {"", {}},
  };
  for (const auto& c : cases) EXPECT_EQ(parse_message_id_list(c.raw), c.want) << c.raw;
}

}  // namespace
}  // namespace crmr
