// dataverse-sim: the generated data set (--generate-contacts, --generate-emails),
// made when read: paged like stored records, filtered by SQLite, readable by id.
#include <ctime>

#include "sim_test_util.h"

namespace crmr::sim::test {
namespace {

std::string iso_days_ago(int days) {
  std::time_t t = std::time(nullptr) - static_cast<std::time_t>(days) * 86400;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char out[32];
  std::strftime(out, sizeof out, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return out;
}

// Every row of a collection read page by page (following @odata.nextLink).
std::vector<json> read_all(SimClient& client, std::string path, const std::string& prefer) {
  std::vector<json> rows;
  for (int pages = 0; pages < 100; ++pages) {
    auto r = client.get(path, prefer);
    EXPECT_EQ(r->status, 200) << r->body;
    if (r->status != 200) break;
    json body = json::parse(r->body);
    for (auto& row : body["value"]) rows.push_back(row);
    if (!body.contains("@odata.nextLink")) break;
    std::string next = body["@odata.nextLink"];
    path = next.substr(next.find("/api/"));
  }
  return rows;
}

TEST(SimGenerated, ContactsArePagedAfterTheStoredOnesAndNotInDeltas) {
  SimProcess sim({"--generate-contacts", "2500"});
  SimClient client(sim.port());
  const std::string prefer = "odata.maxpagesize=1000,odata.track-changes";
  auto rows = read_all(client, "contacts?$select=contactid,fullname,emailaddress1,emailaddress2", prefer);
  ASSERT_GE(rows.size(), 2500u);
  const std::size_t seeded = rows.size() - 2500;  // the seed file's, first
  const json& c10 = rows[seeded + 10];
  EXPECT_EQ(c10["contactid"], "00000000-0000-4000-a000-00000000000a");
  EXPECT_EQ(c10["fullname"], "Contact 10");
  EXPECT_EQ(c10["emailaddress1"], "contact10@customer10.example.com");
  EXPECT_EQ(c10["emailaddress2"], "c10@home.example.net");
  EXPECT_TRUE(rows[seeded + 11]["emailaddress2"].is_null());
  // The delta link of the full read: nothing generated has changed since.
  auto last = client.get("contacts?$select=contactid", "odata.maxpagesize=5000,odata.track-changes");
  std::string delta = json::parse(last->body)["@odata.deltaLink"];
  auto changes = client.get(delta.substr(delta.find("/api/")));
  EXPECT_TRUE(json::parse(changes->body)["value"].empty()) << changes->body;
  // By id, like a stored one.
  auto one = client.get("contacts(00000000-0000-4000-a000-0000000009c3)?$select=fullname");
  ASSERT_EQ(one->status, 200);
  EXPECT_EQ(json::parse(one->body)["fullname"], "Contact 2499");
  EXPECT_NE(client.get("contacts(00000000-0000-4000-a000-0000000009c4)")->status, 200);
}

TEST(SimGenerated, EmailsAreFilteredBySqliteAndCarryTheirParties) {
  SimProcess sim({"--generate-contacts", "10", "--generate-emails", "2500", "--generate-days", "99"});
  SimClient client(sim.port());
  const std::string expand = url_encode(
      "email_activity_parties($select=participationtypemask,addressused;"
      "$filter=participationtypemask eq 2 or participationtypemask eq 3)");
  // The last 10 days of 99: e-mails 0 to about 252, newest first.
  auto recent = read_all(client,
                         "emails?$select=activityid,subject,_regardingobjectid_value&$expand=" +
                             expand + "&$filter=" + url_encode("modifiedon ge " + iso_days_ago(10)),
                         "odata.maxpagesize=100,odata.include-annotations=\"*\"");
  ASSERT_GT(recent.size(), 240u);
  ASSERT_LT(recent.size(), 270u);
  auto twelve = std::find_if(recent.begin(), recent.end(), [](const json& e) {
    return e["activityid"] == "00000000-0000-4000-8000-00000000000c";
  });
  ASSERT_NE(twelve, recent.end());
  const json& e12 = *twelve;
  EXPECT_EQ(e12["subject"], "Order 12 shipping update");
  EXPECT_EQ(e12["_regardingobjectid_value"], "00000000-0000-4000-a000-000000000002");
  EXPECT_EQ(e12["_regardingobjectid_value@Microsoft.Dynamics.CRM.lookuplogicalname"], "contact");
  ASSERT_EQ(e12["email_activity_parties"].size(), 2u);
  EXPECT_EQ(e12["email_activity_parties"][0]["addressused"], "customer12@example.org");
  EXPECT_EQ(e12["email_activity_parties"][1]["addressused"], "team12@example.org");
  // A filter on a generated column, far into the set.
  auto token = client.get("emails?$select=activityid&$filter=" +
                          url_encode("trackingtoken eq 'CRM:01002222'"));
  auto found = json::parse(token->body)["value"];
  ASSERT_EQ(found.size(), 1u) << token->body;
  EXPECT_EQ(found[0]["activityid"], "00000000-0000-4000-8000-0000000008ae");
}

}  // namespace
}  // namespace crmr::sim::test
