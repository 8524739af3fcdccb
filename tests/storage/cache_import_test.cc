// cache import: JSON Lines and CSV files of CRM records into the Store, and
// the CSV reader under it.
#include "storage/cache_import.h"

#include <gtest/gtest.h>

#include "core/base/normalize.h"
#include "storage/csv.h"
#include "tests/storage/storage_test_util.h"
#include "tests/support/result_matchers.h"

namespace crmr {
namespace {

using test::memory_store;
using test::TempDir;

const std::string kData = std::string(CRMR_TEST_DATA_DIR) + "/storage/";

// --- CSV reader

struct CsvCase {
  const char* name;
  std::string text;
  std::vector<std::vector<std::string>> records;
  std::vector<std::size_t> lines;
};

TEST(CsvReader, ReadsRfc4180Records) {
  const CsvCase cases[] = {
      {"plain", "a,b,c\n1,2,3\n", {{"a", "b", "c"}, {"1", "2", "3"}}, {1, 2}},
      {"crlf and no final newline", "a,b\r\n1,2", {{"a", "b"}, {"1", "2"}}, {1, 2}},
      {"empty fields", ",x,\n", {{"", "x", ""}}, {1}},
      {"quoted comma", "\"Smith, Anna\",2\n", {{"Smith, Anna", "2"}}, {1}},
      {"doubled quotes", "\"say \"\"hi\"\"\",x\n", {{"say \"hi\"", "x"}}, {1}},
      {"embedded newline", "\"two\r\nlines\",x\r\nnext,y\r\n",
       {{"two\r\nlines", "x"}, {"next", "y"}}, {1, 3}},
      {"blank lines skipped", "a\n\n\r\nb\n", {{"a"}, {"b"}}, {1, 4}},
      {"quoted empty", "\"\",x\n", {{"", "x"}}, {1}},
      {"quote inside unquoted field kept", "ab\"c,d\n", {{"ab\"c", "d"}}, {1}},
  };
  for (const auto& c : cases) {
    CsvReader reader(c.text);
    CsvRecord record;
    std::vector<std::vector<std::string>> records;
    std::vector<std::size_t> lines;
    while (reader.next(record)) {
      EXPECT_EQ(record.error, "") << c.name;
      records.push_back(record.fields);
      lines.push_back(record.line);
    }
    EXPECT_EQ(records, c.records) << c.name;
    EXPECT_EQ(lines, c.lines) << c.name;
  }
}

TEST(CsvReader, ReportsMalformedRecordsAndGoesOn) {
  CsvReader reader("\"bad\"x,1\ngood,2\n\"never closed,3\nmore\n");
  CsvRecord record;
  ASSERT_TRUE(reader.next(record));
  EXPECT_EQ(record.line, 1u);
  EXPECT_NE(record.error, "");
  ASSERT_TRUE(reader.next(record));
  EXPECT_EQ(record.error, "");
  EXPECT_EQ(record.fields, (std::vector<std::string>{"good", "2"}));
  ASSERT_TRUE(reader.next(record));
  EXPECT_EQ(record.line, 3u);
  EXPECT_NE(record.error.find("unterminated"), std::string::npos);
  EXPECT_FALSE(reader.next(record));
}

// --- JSON Lines

TEST(CacheImport, JsonLinesWithEveryEntity) {
  auto store = memory_store();
  const std::string path = kData + "cache.jsonl";
  auto result = import_cache_file(*store, path, CacheFileFormat::Auto, "");
  ASSERT_OK(result);
  EXPECT_TRUE(result->errors.empty()) << result->errors.front();
  const std::map<std::string, std::int64_t> imported{
      {"organization", 1}, {"systemuser", 2}, {"queue", 1}, {"contact", 1},
      {"account", 1},      {"lead", 1},       {"email", 1}};
  EXPECT_EQ(result->imported, imported);

  const OrgSettings org = store->org();
  EXPECT_EQ(org.tracking_prefixes, (std::vector<std::string>{"CRM:", "CASE:"}));
  EXPECT_EQ(org.token_id_base, 100);
  EXPECT_EQ(org.token_id_digits, 3);
  EXPECT_TRUE(org.smart_matching);
  EXPECT_TRUE(org.ignore_internal_email);
  EXPECT_FALSE(org.unresolve_if_multiple_match);
  EXPECT_EQ(org.max_upload_file_size, 10485760);
  EXPECT_EQ(org.blocked_extensions, (std::vector<std::string>{"exe", "bat", "js"}));

  auto bob = store->records_by_address("bob@contoso.example");
  ASSERT_EQ(bob.size(), 1u);
  EXPECT_EQ(bob[0].entity, "systemuser");
  EXPECT_EQ(bob[0].name, "Bob Sales");
  EXPECT_TRUE(bob[0].active);
  EXPECT_EQ(bob[0].filtering_method, 2);
  auto old = store->records_by_address("old@contoso.example");
  ASSERT_EQ(old.size(), 1u);
  EXPECT_FALSE(old[0].active);  // isdisabled "true"

  auto queue = store->records_by_address("sales@contoso.example");
  ASSERT_EQ(queue.size(), 1u);
  EXPECT_EQ(queue[0].entity, "queue");
  EXPECT_EQ(queue[0].filtering_method, 3);

  auto alice = store->records_by_address("alice@customer.example");  // contact and lead
  ASSERT_EQ(alice.size(), 2u);
  EXPECT_EQ(alice[0].entity, "contact");
  EXPECT_EQ(alice[1].entity, "lead");
  EXPECT_EQ(store->records_by_address("alice.private@mail.example").size(), 1u);
  auto account = store->records_by_address("info@customer.example");
  ASSERT_EQ(account.size(), 1u);
  EXPECT_FALSE(account[0].active);  // statecode "1"

  auto email = store->tracked_by_message_id("CAF1234@mail.example.com");
  ASSERT_TRUE(email);
  EXPECT_EQ(email->activity_id, "66666666-0000-0000-0000-000000000001");
  EXPECT_TRUE(email->outgoing);
  EXPECT_EQ(email->regarding_entity, "opportunity");
  EXPECT_EQ(email->regarding_id, "77777777-0000-0000-0000-000000000001");
  EXPECT_EQ(email->recipients,
            (std::vector<std::string>{"alice@customer.example", "info@customer.example",
                                      "bob@contoso.example", "sales@contoso.example"}));
  EXPECT_TRUE(store->tracked_by_token("CRM:0100001"));
  auto key = conversation_key(email->conversation_index);
  ASSERT_TRUE(key);
  EXPECT_EQ(*key, "011011121314a0a1a2a3a4a5a6a7a8a9aaabacadaeaf");
  EXPECT_TRUE(store->tracked_by_conversation(*key));
  auto hashes = subject_hashes("RE: Quote 1234 for pumps", org.hash_filter_keywords, 20);
  EXPECT_EQ(store->tracked_by_subject_hashes(hashes).size(), 1u);
}

TEST(CacheImport, BadJsonLinesAreReportedWithTheirLineAndTheRestIsImported) {
  auto store = memory_store();
  const std::string path = kData + "bad_lines.jsonl";
  auto result = import_cache_file(*store, path, CacheFileFormat::JsonLines, "");
  ASSERT_OK(result);
  EXPECT_EQ(result->imported, (std::map<std::string, std::int64_t>{{"contact", 2}}));
  const std::vector<std::pair<int, std::string>> expected = {
      {2, "invalid JSON"},
      {4, "unknown entity \"opportunity\""},
      {5, "missing contactid"},
      {6, "statecode: expected an integer, got \"abc\""},
      {7, "missing \"entity\""},
      {8, "isdisabled: expected a boolean"},
      {9, "expected a JSON object"},
  };
  ASSERT_EQ(result->errors.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const std::string prefix = path + ":" + std::to_string(expected[i].first) + ": ";
    EXPECT_TRUE(result->errors[i].starts_with(prefix)) << result->errors[i];
    EXPECT_NE(result->errors[i].find(expected[i].second), std::string::npos)
        << result->errors[i];
  }
  EXPECT_EQ(store->records_by_address("one@example.com").size(), 1u);
  EXPECT_EQ(store->records_by_address("five@example.com").size(), 1u);
  EXPECT_TRUE(store->records_by_address("three@example.com").empty());
  EXPECT_TRUE(store->records_by_address("maybe@example.com").empty());
}

TEST(CacheImport, UpsertReplacesEarlierRows) {
  TempDir dir;
  auto store = memory_store();
  auto first = dir.write("a.jsonl",
                         R"({"entity":"contact","contactid":"c1","fullname":"Old","emailaddress1":"old@x"})"
                         "\n");
  auto second = dir.write("b.jsonl",
                          R"({"entity":"contact","contactid":"c1","fullname":"New","emailaddress1":"new@x"})"
                          "\n");
  ASSERT_TRUE(import_cache_file(*store, first, CacheFileFormat::Auto, ""));
  ASSERT_TRUE(import_cache_file(*store, second, CacheFileFormat::Auto, ""));
  EXPECT_TRUE(store->records_by_address("old@x").empty());
  ASSERT_EQ(store->records_by_address("new@x").size(), 1u);
  EXPECT_EQ(store->records_by_address("new@x")[0].name, "New");
  EXPECT_EQ(store->cache_stats()->at("contact"), 1);
}

TEST(CacheImport, OrganizationRowsChangeOnlyTheFieldsTheyName) {
  TempDir dir;
  auto store = memory_store();
  auto path = dir.write("org.jsonl", R"({"entity":"organization","trackingprefix":"NEW:"})"
                                     "\n"
                                     R"({"entity":"organization","hashmaxcount":"7"})"
                                     "\n");
  auto result = import_cache_file(*store, path, CacheFileFormat::Auto, "");
  ASSERT_TRUE(result);
  EXPECT_TRUE(result->errors.empty());
  EXPECT_EQ(store->org().tracking_prefixes, std::vector<std::string>{"NEW:"});
  EXPECT_EQ(store->org().hash_max_count, 7);
  EXPECT_EQ(store->org().blocked_extensions, default_blocked_extensions());
}

TEST(CacheImport, BooleansAcceptTrueFalseOneZeroAndTheirStrings) {
  struct Case {
    std::string value;
    bool ok;
    bool active;
  };
  const Case cases[] = {{"true", true, false},  {"false", true, true},   {"1", true, false},
                        {"0", true, true},      {"\"true\"", true, false}, {"\"FALSE\"", true, true},
                        {"\"1\"", true, false}, {"\"0\"", true, true},   {"\"yes\"", false, true},
                        {"2", false, true},     {"[]", false, true}};
  for (const auto& c : cases) {
    TempDir dir;
    auto store = memory_store();
    auto path = dir.write("u.jsonl", R"({"entity":"systemuser","systemuserid":"u1",)"
                                     R"("internalemailaddress":"u@x","isdisabled":)" +
                                         c.value + "}\n");
    auto result = import_cache_file(*store, path, CacheFileFormat::Auto, "");
    ASSERT_TRUE(result) << c.value;
    EXPECT_EQ(result->errors.empty(), c.ok) << c.value;
    auto found = store->records_by_address("u@x");
    ASSERT_EQ(found.size(), c.ok ? 1u : 0u) << c.value;
    if (c.ok) {
      EXPECT_EQ(found[0].active, c.active) << c.value;
    }
  }
}

TEST(CacheImport, WebApiLookupFieldsNameTheRegardingRecord) {
  TempDir dir;
  auto store = memory_store();
  auto path = dir.write(
      "e.jsonl",
      R"({"entity":"email","activityid":"e1","messageid":"<x@y>","directioncode":false,)"
      R"("_regardingobjectid_value":"i1",)"
      R"("_regardingobjectid_value@Microsoft.Dynamics.CRM.lookuplogicalname":"incident"})"
      "\n"
      R"({"entity":"email","activityid":"e2","regardingobjectid":"i2"})"
      "\n");
  auto result = import_cache_file(*store, path, CacheFileFormat::Auto, "");
  ASSERT_TRUE(result);
  auto e = store->tracked_by_message_id("x@y");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->regarding_entity, "incident");
  EXPECT_EQ(e->regarding_id, "i1");
  EXPECT_FALSE(e->outgoing);
  ASSERT_EQ(result->errors.size(), 1u);
  EXPECT_NE(result->errors[0].find(":2: regardingobjectid given without"), std::string::npos)
      << result->errors[0];
}

// --- CSV

TEST(CacheImport, CsvWithQuotesCrlfAndEmbeddedNewlines) {
  auto store = memory_store();
  const std::string path = kData + "contacts.csv";
  auto result = import_cache_file(*store, path, CacheFileFormat::Auto, "contact");
  ASSERT_OK(result);
  EXPECT_EQ(result->imported, (std::map<std::string, std::int64_t>{{"contact", 4}}));

  const std::vector<std::pair<int, std::string>> expected = {
      {6, "6 fields, the header has 5"},
      {7, "statecode: expected an integer"},
      {9, "missing contactid"},
      {10, "after a closing quote"},
  };
  ASSERT_EQ(result->errors.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const std::string prefix = path + ":" + std::to_string(expected[i].first) + ": ";
    EXPECT_TRUE(result->errors[i].starts_with(prefix)) << result->errors[i];
    EXPECT_NE(result->errors[i].find(expected[i].second), std::string::npos)
        << result->errors[i];
  }

  auto anna = store->records_by_address("anna@example.com");
  ASSERT_EQ(anna.size(), 1u);
  EXPECT_EQ(anna[0].name, "Smith, Anna");
  auto boss = store->records_by_address("boss@example.com");
  ASSERT_EQ(boss.size(), 1u);
  EXPECT_EQ(boss[0].name, "Quote \"The Boss\" Jones");
  EXPECT_EQ(store->records_by_address("boss@home.example").size(), 1u);
  auto multi = store->records_by_address("multi@example.com");
  ASSERT_EQ(multi.size(), 1u);
  EXPECT_EQ(multi[0].name, "Multi\r\nLine Name");
  EXPECT_FALSE(multi[0].active);
  EXPECT_EQ(store->records_by_address("last@example.com").size(), 1u);
}

TEST(CacheImport, CsvNeedsAKnownEntity) {
  const std::string path = kData + "contacts.csv";
  auto store = memory_store();
  auto missing = import_cache_file(*store, path, CacheFileFormat::Auto, "");
  ASSERT_FALSE(missing);
  EXPECT_ERROR_CODE(missing, Code::ImportCsvEntity);
  EXPECT_NE(missing.error().message.find(path), std::string::npos);
  EXPECT_FALSE(missing.error().hint.empty());
  auto unknown = import_cache_file(*store, path, CacheFileFormat::Csv, "opportunity");
  ASSERT_FALSE(unknown);
  EXPECT_ERROR_CODE(unknown, Code::ImportUnknownEntity);
}

TEST(CacheImport, CsvOfUsersEmailsAndOrganisation) {
  TempDir dir;
  auto store = memory_store();
  auto users = dir.write("users.csv",
                         "\xEF\xBB\xBFSystemUserId,FullName,InternalEMailAddress,IsDisabled,"
                         "IncomingEmailFilteringMethod\n"
                         "u1,Bob,bob@x,0,2\n");
  auto emails = dir.write("emails.csv",
                          "activityid,messageid,trackingtoken,subject,directioncode,"
                          "regardingobjectid,regardingobjecttype,torecipients\n"
                          "e1,<m1@x>,CRM:0001001,\"Quote, final\",true,o1,opportunity,"
                          "\"a@x;b@x\"\n");
  auto org = dir.write("org.csv", "trackingprefix,blockedattachments\n\"CRM:;OLD:\",exe;dll\n");
  ASSERT_TRUE(import_cache_file(*store, users, CacheFileFormat::Auto, "systemuser"));
  ASSERT_TRUE(import_cache_file(*store, emails, CacheFileFormat::Csv, "email"));
  ASSERT_TRUE(import_cache_file(*store, org, CacheFileFormat::Auto, "organization"));
  auto bob = store->records_by_address("bob@x");
  ASSERT_EQ(bob.size(), 1u);
  EXPECT_EQ(bob[0].filtering_method, 2);
  auto e = store->tracked_by_token("CRM:0001001");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->subject, "Quote, final");
  EXPECT_EQ(e->recipients, (std::vector<std::string>{"a@x", "b@x"}));
  EXPECT_EQ(store->org().tracking_prefixes, (std::vector<std::string>{"CRM:", "OLD:"}));
  EXPECT_EQ(store->org().blocked_extensions, (std::vector<std::string>{"exe", "dll"}));
}

// --- whole-file failures

TEST(CacheImport, UnreadableFileIsAnError) {
  auto store = memory_store();
  auto result = import_cache_file(*store, "/no/such/file.jsonl", CacheFileFormat::Auto, "");
  ASSERT_FALSE(result);
  EXPECT_ERROR_CODE(result, Code::ImportCannotRead);
  EXPECT_EQ(result.error().scope, Scope::Run);
  EXPECT_NE(result.error().message.find("/no/such/file.jsonl"), std::string::npos);
}

TEST(CacheImport, EmptyFileImportsNothing) {
  TempDir dir;
  auto store = memory_store();
  auto result = import_cache_file(*store, dir.write("e.jsonl", "\n  \n"), CacheFileFormat::Auto, "");
  ASSERT_TRUE(result);
  EXPECT_TRUE(result->imported.empty());
  EXPECT_TRUE(result->errors.empty());
}

TEST(CacheImport, ReadOnlyStoreStopsTheImportWithNothingWritten) {
  TempDir dir;
  auto store = Store::open(dir.file("absent.db"), OpenMode::ReadOnly);
  ASSERT_TRUE(store);
  auto result = import_cache_file(**store, kData + "cache.jsonl", CacheFileFormat::Auto, "");
  ASSERT_FALSE(result);
  EXPECT_ERROR_CODE(result, Code::StoreReadOnly);
  EXPECT_TRUE((*store)->records_by_address("bob@contoso.example").empty());
}

}  // namespace
}  // namespace crmr

// --- files larger than the read buffer (read a block at a time)

namespace crmr {
namespace {

// 40,000 contacts (about 3 MB): every 997th with a quoted name holding a line
// break, so some records straddle the blocks the file is read in; one bad
// row near the end keeps its own line number.
TEST(CacheImport, CsvLargerThanTheReadBufferKeepsRecordsAndLineNumbers) {
  TempDir dir;
  auto store = memory_store();
  std::string csv = "contactid,fullname,emailaddress1,statecode\n";
  std::size_t line = 1, bad_line = 0;
  for (int i = 0; i < 40000; ++i) {
    const std::string n = std::to_string(i);
    std::string name = "Contact " + n + " of a rather long name to fill the blocks";
    if (i % 997 == 0) name = "\"Contact " + n + "\nsecond line, with a comma\"";
    csv += "id" + n + "," + name + ",c" + n + "@example.com," + (i == 39990 ? "x" : "0") + "\n";
    if (i == 39990) bad_line = line + 1;
    line += i % 997 == 0 ? 2 : 1;
  }
  auto result = import_cache_file(*store, dir.write("big.csv", csv), CacheFileFormat::Csv, "contact");
  ASSERT_OK(result);
  EXPECT_EQ(result->imported["contact"], 39999);
  ASSERT_EQ(result->errors.size(), 1u);
  EXPECT_EQ(result->errors[0], dir.file("big.csv") + ":" + std::to_string(bad_line) +
                                   ": statecode: expected an integer, got \"x\"");
  auto straddling = store->records_by_address("c38883@example.com");
  ASSERT_EQ(straddling.size(), 1u);
  EXPECT_EQ(straddling[0].name, "Contact 38883\nsecond line, with a comma");
}

TEST(CacheImport, JsonLinesLargerThanTheReadBufferInSmallTransactions) {
  TempDir dir;
  auto store = memory_store();
  std::string text;
  for (int i = 0; i < 30000; ++i) {
    const std::string n = std::to_string(i);
    text += R"({"entity":"contact","contactid":"id)" + n + R"(","emailaddress1":"c)" + n +
            R"(@example.com","fullname":"A name long enough to need more than one block"})" + "\n";
  }
  text += "{not json}";  // the last line, without a line feed
  auto result = import_cache_file(*store, dir.write("big.jsonl", text), CacheFileFormat::Auto, "", 7);
  ASSERT_OK(result);
  EXPECT_EQ(result->imported["contact"], 30000);
  ASSERT_EQ(result->errors.size(), 1u);
  EXPECT_EQ(result->errors[0].rfind(dir.file("big.jsonl") + ":30001: invalid JSON", 0), 0u)
      << result->errors[0];
  EXPECT_EQ(store->records_by_address("c29999@example.com").size(), 1u);
}

TEST(CacheImport, ListsTheFirstThousandBadLinesAndCountsAll) {
  TempDir dir;
  auto store = memory_store();
  std::string text;
  for (int i = 0; i < 1500; ++i) text += "[1]\n";
  auto result = import_cache_file(*store, dir.write("bad.jsonl", text), CacheFileFormat::JsonLines, "");
  ASSERT_OK(result);
  EXPECT_EQ(result->errors.size(), 1000u);
  EXPECT_EQ(result->bad_lines, 1500);
}

}  // namespace
}  // namespace crmr
