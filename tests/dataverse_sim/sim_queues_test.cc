// dataverse-sim: what an e-mail create may carry (columns and navigation
// properties valid for create, as the e-mail table's metadata says), queue
// items (queueitems, AddToQueue) and ApplyRecordCreationAndUpdateRule.
#include "sim_test_util.h"

namespace crmr::sim::test {
namespace {

// An incoming e-mail from the seed's contact to its queue, without regarding.
json plain_email(const std::string& messageid) {
  json e = incoming_email(messageid);
  e.erase("regardingobjectid_opportunity_email@odata.bind");
  return e;
}

std::string queue_ref() { return std::string("/queues(") + kQueue + ")"; }

json queue_items_of(SimClient& client, const std::string& email) {
  auto r = client.get("queueitems?$select=queueitemid,_queueid_value&$filter=" +
                      url_encode("_objectid_value eq " + email));
  return r && r->status == 200 ? json::parse(r->body)["value"] : json();
}

TEST(SimCreate, ReadOnlyColumnsAreRefusedAsDataverseDoesOrIgnoredBySwitch) {
  for (const char* field : {"inreplyto", "conversationindex", "correlationmethod", "senton", "attachmentcount"}) {
    json email = plain_email(std::string("<ro-") + field + "@x>");
    email[field] = field == std::string("correlationmethod") ? json(3) : json("x");
    {
      SimProcess sim;
      SimClient client(sim.port());
      auto r = client.post("emails", email);
      ASSERT_TRUE(r);
      EXPECT_EQ(r->status, 400) << field;
      EXPECT_EQ(error_code(r), "0x80060891") << field;
      EXPECT_NE(r->body.find(std::string("'") + field + "'"), std::string::npos) << r->body;
    }
    {
      SimProcess sim({"--accept-readonly"});
      SimClient client(sim.port());
      EXPECT_EQ(client.post("emails", email)->status, 204) << field;
      EXPECT_EQ(client.sim("stats")["ignored_readonly_fields"], 1);
    }
  }
}

TEST(SimCreate, UndeclaredPropertiesAreRefused) {
  SimProcess sim;
  SimClient client(sim.port());
  json email = plain_email("<undeclared@x>");
  email["ccrecipients"] = "x@y";  // not a column: Cc is the party list only
  auto r = client.post("emails", email);
  EXPECT_EQ(r->status, 400);
  EXPECT_NE(r->body.find("Invalid property 'ccrecipients'"), std::string::npos) << r->body;
}

TEST(SimCreate, CorrelationAndAcceptanceBindsAsTheMetadataNamesThem) {
  SimProcess sim;
  SimClient client(sim.port());
  json email = plain_email("<binds@x>");
  email["CorrelatedActivityId_Email@odata.bind"] = std::string("/emails(") + kTrackedEmail + ")";
  email["parentactivityid@odata.bind"] = std::string("/emails(") + kTrackedEmail + ")";
  email["acceptingentityid@odata.bind"] = queue_ref();
  auto r = client.post("emails", email);
  ASSERT_EQ(r->status, 204) << r->body;
  const std::string id = entity_id(r);
  auto got = json::parse(client.get("emails(" + id + ")")->body);
  EXPECT_EQ(got["_correlatedactivityid_value"], kTrackedEmail);
  EXPECT_EQ(got["_parentactivityid_value"], kTrackedEmail);
  EXPECT_EQ(got["_acceptingentityid_value"], kQueue);

  const struct {
    const char* key;
    std::string value;
    const char* code;
  } refused[] = {
      // The user relationship's navigation property does not exist in the Web API.
      {"acceptingentityid_systemuser@odata.bind", std::string("/systemusers(") + kUser + ")", "0x80060888"},
      {"acceptingentityid_queue@odata.bind", queue_ref(), "0x80060888"},
      {"acceptingentityid@odata.bind", std::string("/systemusers(") + kUser + ")", "0x80060888"},
      {"sendermailboxid@odata.bind", queue_ref(), "0x80060891"},
      {"emailsender_contact@odata.bind", std::string("/contacts(") + kContact + ")", "0x80060891"},
      {"correlatedactivityid@odata.bind", std::string("/emails(") + kTrackedEmail + ")", "0x80060888"},
  };
  for (const auto& c : refused) {
    json bad = plain_email(std::string("<bad-") + c.key + ">");
    bad[c.key] = c.value;
    auto b = client.post("emails", bad);
    EXPECT_EQ(b->status, 400) << c.key;
    EXPECT_EQ(error_code(b), c.code) << c.key << ": " << b->body;
  }
}

TEST(SimQueues, AQueueItemCreateBindsTheQueueAndTheEmailAndIsFoundByItsLookup) {
  SimProcess sim;
  SimClient client(sim.port());
  const std::string email = entity_id(client.post("emails", plain_email("<qi@x>")));
  auto r = client.post("queueitems", {{"queueid@odata.bind", queue_ref()},
                                      {"objectid_email@odata.bind", "/emails(" + email + ")"}});
  ASSERT_EQ(r->status, 204) << r->body;
  auto items = queue_items_of(client, email);
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0]["queueitemid"], entity_id(r));
  auto found = client.get("queueitems?$select=queueitemid&$filter=" +
                          url_encode("_objectid_value eq " + email + " and _queueid_value eq " + kQueue));
  EXPECT_EQ(json::parse(found->body)["value"].size(), 1u);
  EXPECT_EQ(client.post("queueitems", {{"queueid@odata.bind", queue_ref()}})->status, 400);
  EXPECT_EQ(client.post("queueitems", {{"queueid@odata.bind", "/queues(22222222-0000-0000-0000-00000000dead)"},
                                       {"objectid_email@odata.bind", "/emails(" + email + ")"}})
                ->status,
            400);
}

TEST(SimQueues, AddToQueueMakesAnItemEachTimeItIsCalled) {
  SimProcess sim;
  SimClient client(sim.port());
  const std::string email = entity_id(client.post("emails", plain_email("<atq@x>")));
  const json target = {{"Target", {{"activityid", email}, {"@odata.type", "Microsoft.Dynamics.CRM.email"}}}};
  const std::string action = std::string("queues(") + kQueue + ")/Microsoft.Dynamics.CRM.AddToQueue";
  auto r = client.post(action, target);
  ASSERT_EQ(r->status, 200) << r->body;
  const std::string first = json::parse(r->body)["QueueItemId"];
  EXPECT_EQ(first.size(), 36u);
  // The hard reading: a second call makes a second item; a client looks first.
  client.post(action, target);
  EXPECT_EQ(queue_items_of(client, email).size(), 2u);
  EXPECT_EQ(client.sim("stats")["queue_items"], 2);
  EXPECT_EQ(client.post("queues(22222222-0000-0000-0000-00000000dead)/Microsoft.Dynamics.CRM.AddToQueue", target)
                ->status,
            404);
  EXPECT_EQ(client.post(action, json::object())->status, 400);
}

TEST(SimQueues, QueueItemsInTheEmailsChangeSetNameItByContentId) {
  SimProcess sim;
  SimClient client(sim.port());
  const std::string body =
      "--batch_q\r\nContent-Type: multipart/mixed; boundary=cs\r\n\r\n"
      "--cs\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\nContent-ID: 1\r\n\r\n"
      "POST /api/data/v9.2/emails HTTP/1.1\r\nContent-Type: application/json\r\n\r\n" +
      plain_email("<cs-queue@x>").dump() +
      "\r\n--cs\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\nContent-ID: 2\r\n\r\n"
      "POST /api/data/v9.2/queueitems HTTP/1.1\r\nContent-Type: application/json\r\n\r\n" +
      json{{"queueid@odata.bind", queue_ref()}, {"objectid_email@odata.bind", "$1"}}.dump() +
      "\r\n--cs--\r\n--batch_q--\r\n";
  auto r = client.raw_post("/api/data/v9.2/$batch", body, "multipart/mixed; boundary=batch_q");
  ASSERT_EQ(r->status, 200);
  EXPECT_NE(r->body.find("/queueitems("), std::string::npos) << r->body;
  std::string email;
  for (auto& e : client.sim("emails"))
    if (e["messageid"] == "<cs-queue@x>") email = e["activityid"];
  EXPECT_EQ(queue_items_of(client, email).size(), 1u);
}

TEST(SimRules, AnEmailInTheRulesQueueFromAContactBecomesOneCase) {
  SimProcess sim;
  SimClient client(sim.port());
  auto seeded = client.sim_post("seed", {{"entity", "convertrule"},
                                         {"convertruleid", "55555555-0000-0000-0000-0000000000c1"},
                                         {"name", "Sales e-mail to case"},
                                         {"queueid", kQueue},
                                         {"statecode", 1}});
  ASSERT_EQ(seeded["seeded"], 1) << seeded.dump();
  auto target = [](const std::string& id) {
    return json{{"Target", {{"activityid", id}, {"@odata.type", "Microsoft.Dynamics.CRM.email"}}}};
  };

  // Not in the queue: nothing.
  const std::string outside = entity_id(client.post("emails", plain_email("<rule-out@x>")));
  EXPECT_EQ(client.post("ApplyRecordCreationAndUpdateRule", target(outside))->status, 204);
  EXPECT_EQ(client.sim("stats")["cases_created"], 0);

  const std::string email = entity_id(client.post("emails", plain_email("<rule-in@x>")));
  client.post("queueitems", {{"queueid@odata.bind", queue_ref()}, {"objectid_email@odata.bind", "/emails(" + email + ")"}});
  EXPECT_EQ(client.post("ApplyRecordCreationAndUpdateRule", target(email))->status, 204);
  auto got = json::parse(client.get("emails(" + email + ")")->body);
  const std::string incident = got.value("_regardingobjectid_value", "");
  ASSERT_EQ(incident.size(), 36u) << got.dump();
  auto made = json::parse(client.get("incidents(" + incident + ")")->body);
  EXPECT_EQ(made["_customerid_value"], kContact);
  EXPECT_EQ(made["title"], "Re: Quote 1234");
  EXPECT_EQ(made["caseorigincode"], 2);
  // Again: the e-mail has its case, no second one.
  EXPECT_EQ(client.post("ApplyRecordCreationAndUpdateRule", target(email))->status, 204);
  EXPECT_EQ(client.sim("stats")["cases_created"], 1);
  EXPECT_EQ(client.sim("stats")["rules_applied"], 3);

  // An e-mail already regarding a record is left alone.
  json with_regarding = incoming_email("<rule-regarding@x>");
  const std::string other = entity_id(client.post("emails", with_regarding));
  client.post("queueitems", {{"queueid@odata.bind", queue_ref()}, {"objectid_email@odata.bind", "/emails(" + other + ")"}});
  client.post("ApplyRecordCreationAndUpdateRule", target(other));
  EXPECT_EQ(client.sim("stats")["cases_created"], 1);

  EXPECT_EQ(client.post("ApplyRecordCreationAndUpdateRule", json::object())->status, 400);
  EXPECT_EQ(client.post("ApplyRecordCreationAndUpdateRule", target("66666666-0000-0000-0000-00000000dead"))->status,
            400);
}

}  // namespace
}  // namespace crmr::sim::test
