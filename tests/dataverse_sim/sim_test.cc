// dataverse-sim as a specification: tokens, e-mail creation with parties,
// limits and duplicates, state, attachments, reading with paging and change
// tracking, and the server-side delivery functions.
#include <sqlite3.h>

#include "sim_test_util.h"

namespace crmr::sim::test {
namespace {

TEST(SimAuth, IssuesTokensForTheRightSecretOnly) {
  SimProcess sim;
  ASSERT_GT(sim.port(), 0);
  SimClient client(sim.port(), false);
  auto ok = client.http_.Post("/t/oauth2/v2.0/token",
                              "grant_type=client_credentials&client_id=sim-client&client_secret="
                              "sim-secret&scope=https%3A%2F%2Fx.crm.dynamics.com%2F.default",
                              "application/x-www-form-urlencoded");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  auto body = json::parse(ok->body);
  EXPECT_EQ(body["token_type"], "Bearer");
  EXPECT_EQ(body["expires_in"], 3600);
  EXPECT_FALSE(body["access_token"].get<std::string>().empty());

  auto wrong = client.http_.Post("/t/oauth2/v2.0/token",
                                 "grant_type=client_credentials&client_id=sim-client&client_secret="
                                 "nope&scope=https%3A%2F%2Fx.crm.dynamics.com%2F.default",
                                 "application/x-www-form-urlencoded");
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 401);
  EXPECT_EQ(json::parse(wrong->body)["error"], "invalid_client");
}

TEST(SimAuth, ApiNeedsAValidUnexpiredToken) {
  SimProcess sim({"--token-ttl", "1", "--static-token", "fixed"});
  SimClient anonymous(sim.port(), false);
  auto none = anonymous.get("contacts");
  ASSERT_TRUE(none);
  EXPECT_EQ(none->status, 401);
  EXPECT_EQ(error_code(none), "0x80072560");

  anonymous.token_ = "made-up";
  EXPECT_EQ(anonymous.get("contacts")->status, 401);
  anonymous.token_ = "fixed";
  EXPECT_EQ(anonymous.get("contacts")->status, 200);

  SimClient client(sim.port());
  EXPECT_EQ(client.get("contacts")->status, 200);
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  auto expired = client.get("contacts");
  EXPECT_EQ(expired->status, 401);
  EXPECT_NE(expired->get_header_value("WWW-Authenticate").find("expired"), std::string::npos);
}

TEST(SimAuth, ControlEndpointExpiresTokens) {
  SimProcess sim;
  SimClient client(sim.port());
  EXPECT_EQ(client.get("contacts")->status, 200);
  client.sim_post("expire-tokens", json::object());
  EXPECT_EQ(client.get("contacts")->status, 401);
}

TEST(SimProcessLife, PrintsPortAndStopsOnSigterm) {
  SimProcess sim;
  ASSERT_GT(sim.port(), 0);
  EXPECT_EQ(sim.stop(), 0);
}

TEST(SimEmails, DeepInsertStoresPartiesAndRegarding) {
  SimProcess sim;
  SimClient client(sim.port());
  auto r = client.post("emails", incoming_email("<m1@example>"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 204);
  EXPECT_EQ(r->get_header_value("OData-Version"), "4.0");
  const std::string id = entity_id(r);
  ASSERT_EQ(id.size(), 36u);
  EXPECT_NE(r->get_header_value("OData-EntityId").find("/api/data/v9.2/emails("), std::string::npos);

  json emails = client.sim("emails");
  json stored;
  for (auto& e : emails)
    if (e["activityid"] == id) stored = e;
  ASSERT_FALSE(stored.is_null());
  EXPECT_EQ(stored["_regardingobjectid_value"], kOpportunity);
  EXPECT_EQ(stored["statecode"], 0);
  ASSERT_EQ(stored["email_activity_parties"].size(), 3u);
  EXPECT_EQ(stored["email_activity_parties"][0]["_partyid_value"], kContact);
  EXPECT_EQ(stored["email_activity_parties"][1]["partyobjecttype"], "queue");
  EXPECT_TRUE(stored["email_activity_parties"][2]["_partyid_value"].is_null());
  EXPECT_EQ(stored["email_activity_parties"][2]["addressused"], "stranger@else.example");
}

TEST(SimEmails, ReturnRepresentationAnswers201WithTheRecord) {
  SimProcess sim;
  SimClient client(sim.port());
  auto r = client.post("emails?$select=subject,messageid", incoming_email("<rep@x>"),
                       "return=representation");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 201);
  auto body = json::parse(r->body);
  EXPECT_EQ(body["messageid"], "<rep@x>");
  EXPECT_EQ(body["activityid"].get<std::string>().size(), 36u);
}

TEST(SimEmails, BindsToMissingRecordsAreRejected) {
  SimProcess sim;
  SimClient client(sim.port());
  json email = incoming_email("<m2@example>");
  email["email_activity_parties"][0]["partyid_contact@odata.bind"] =
      "/contacts(33333333-0000-0000-0000-0000000000ff)";
  auto r = client.post("emails", email);
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(error_code(r), "0x80040217");

  email = incoming_email("<m3@example>");
  email["regardingobjectid_opportunity_email@odata.bind"] =
      "/opportunities(77777777-0000-0000-0000-0000000000ff)";
  EXPECT_EQ(error_code(client.post("emails", email)), "0x80040217");
  EXPECT_EQ(client.sim("emails").size(), 1u);  // only the seeded one: nothing half-created
}

TEST(SimEmails, MissingBindStatusIsASwitch) {
  SimProcess sim({"--missing-bind-status", "404"});
  SimClient client(sim.port());
  json email = incoming_email("<m4@example>");
  email["email_activity_parties"][0]["partyid_contact@odata.bind"] =
      "/contacts(33333333-0000-0000-0000-0000000000ff)";
  EXPECT_EQ(client.post("emails", email)->status, 404);
}

TEST(SimEmails, FieldLimitsAnswer400) {
  SimProcess sim;
  SimClient client(sim.port());
  struct Case {
    const char* field;
    std::size_t ok, too_long;
  };
  for (auto c : {Case{"subject", 800, 801}, Case{"messageid", 320, 321},
                 Case{"trackingtoken", 50, 51}}) {
    json email = incoming_email("<limit-" + std::string(c.field) + "@x>");
    email[c.field] = std::string(c.ok, 'a');
    EXPECT_EQ(client.post("emails", email)->status, 204) << c.field;
    email["messageid"] = "<limit2-" + std::string(c.field) + "@x>";
    email[c.field] = std::string(c.too_long, 'a');
    auto r = client.post("emails", email);
    EXPECT_EQ(r->status, 400) << c.field;
    EXPECT_EQ(error_code(r), "0x80044331") << c.field;
  }
}

TEST(SimEmails, ReceivedMessageIdIsDuplicateConstrained) {
  SimProcess sim;
  SimClient client(sim.port());
  EXPECT_EQ(client.post("emails", incoming_email("<dup@x>"))->status, 204);
  auto again = client.post("emails", incoming_email("<DUP@x>"));
  EXPECT_EQ(again->status, 412);
  EXPECT_EQ(error_code(again), "0x80040237");
  json outgoing = incoming_email("<dup@x>");
  outgoing["directioncode"] = true;
  EXPECT_EQ(client.post("emails", outgoing)->status, 204);  // sent mail is not constrained
}

TEST(SimEmails, DuplicateStatusIsASwitch) {
  SimProcess sim({"--duplicate-status", "400"});
  SimClient client(sim.port());
  client.post("emails", incoming_email("<dup@x>"));
  auto again = client.post("emails", incoming_email("<dup@x>"));
  EXPECT_EQ(again->status, 400);
  EXPECT_EQ(error_code(again), "0x80040237");
}

TEST(SimEmails, PatchSetsReceivedState) {
  SimProcess sim;
  SimClient client(sim.port());
  std::string id = entity_id(client.post("emails", incoming_email("<state@x>")));
  EXPECT_EQ(client.patch("emails(" + id + ")", {{"statecode", 1}, {"statuscode", 4}})->status, 204);
  auto r = client.get("emails(" + id + ")?$select=statecode,statuscode");
  auto body = json::parse(r->body);
  EXPECT_EQ(body["statecode"], 1);
  EXPECT_EQ(body["statuscode"], 4);
  auto bad = client.patch("emails(" + id + ")", {{"statecode", 1}, {"statuscode", 1}});
  EXPECT_EQ(bad->status, 400);
  EXPECT_EQ(client.patch("emails(aaaaaaaa-0000-0000-0000-000000000000)", {{"statecode", 1}})->status,
            400);
}

TEST(SimEmails, StateInCreateBodyIsAcceptedOrRejectedBySwitch) {
  json email = incoming_email("<state-create@x>");
  email["statecode"] = 1;
  email["statuscode"] = 4;
  {
    SimProcess sim;
    SimClient client(sim.port());
    std::string id = entity_id(client.post("emails", email));
    ASSERT_FALSE(id.empty());
    EXPECT_EQ(json::parse(client.get("emails(" + id + ")")->body)["statuscode"], 4);
  }
  {
    SimProcess sim({"--reject-state-on-create"});
    SimClient client(sim.port());
    EXPECT_EQ(client.post("emails", email)->status, 400);
  }
}

TEST(SimEmails, ReadOnlyFieldsAreRejectedOrIgnoredBySwitch) {
  json email = incoming_email("<ro@x>");
  email["inreplyto"] = "<parent@x>";
  {
    SimProcess sim;
    SimClient client(sim.port());
    EXPECT_EQ(client.post("emails", email)->status, 400);
  }
  {
    SimProcess sim({"--accept-readonly"});
    SimClient client(sim.port());
    EXPECT_EQ(client.post("emails", email)->status, 204);
    EXPECT_EQ(client.sim("stats")["ignored_readonly_fields"], 1);
  }
}

TEST(SimStore, FileStoreIsInspectableWithSqlite) {
  std::string db = testing::TempDir() + "/sim-inspect.db";
  std::remove(db.c_str());
  SimProcess sim({"--db", db});
  SimClient client(sim.port());
  std::string id = entity_id(client.post("emails", incoming_email("<inspect@x>")));
  client.patch("emails(" + id + ")", {{"statecode", 1}, {"statuscode", 4}});

  sqlite3* handle = nullptr;
  ASSERT_EQ(sqlite3_open_v2(db.c_str(), &handle, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(handle,
                               "SELECT e.statecode, e.statuscode, e.directioncode, "
                               "(SELECT count(*) FROM parties p WHERE p.activityid = e.id) "
                               "FROM emails e WHERE e.messageid = '<inspect@x>'",
                               -1, &stmt, nullptr),
            SQLITE_OK);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(stmt, 0), 1);
  EXPECT_EQ(sqlite3_column_int(stmt, 1), 4);
  EXPECT_EQ(sqlite3_column_int(stmt, 2), 0);
  EXPECT_EQ(sqlite3_column_int(stmt, 3), 3);
  sqlite3_finalize(stmt);
  sqlite3_close(handle);
}

}  // namespace
}  // namespace crmr::sim::test
