// dataverse-sim: $batch with change sets (all-or-nothing, $1 references),
// continue-on-error and the 1000-request limit.
#include "sim_test_util.h"

namespace crmr::sim::test {
namespace {

struct Op {
  std::string method, url;
  json body;  // null: no body
  std::string content_id;
};

std::string http_part(const Op& op) {
  std::string p = "Content-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n";
  if (!op.content_id.empty()) p += "Content-ID: " + op.content_id + "\r\n";
  p += "\r\n" + op.method + " " + op.url + " HTTP/1.1\r\n";
  if (!op.body.is_null()) p += "Content-Type: application/json; charset=utf-8\r\n";
  p += "\r\n";
  if (!op.body.is_null()) p += op.body.dump();
  return p + "\r\n";
}

// One change set per inner vector with more than one op, else a plain part.
std::string batch_body(const std::vector<std::vector<Op>>& parts, bool all_changesets = true) {
  std::string b;
  int n = 0;
  for (auto& part : parts) {
    b += "--batch_x\r\n";
    if (!all_changesets && part.size() == 1) {
      b += http_part(part[0]);
      continue;
    }
    std::string cs = "changeset_" + std::to_string(++n);
    b += "Content-Type: multipart/mixed; boundary=" + cs + "\r\n\r\n";
    for (auto& op : part) b += "--" + cs + "\r\n" + http_part(op);
    b += "--" + cs + "--\r\n";
  }
  return b + "--batch_x--\r\n";
}

httplib::Result send_batch(SimClient& client, const std::string& body,
                           const std::string& prefer = {}) {
  return client.raw_post("/api/data/v9.2/$batch", body, "multipart/mixed; boundary=batch_x",
                         prefer);
}

int count(const std::string& text, const std::string& what) {
  int n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

std::vector<Op> message_ops(const std::string& messageid, const std::string& filename = "a.pdf") {
  return {{"POST", "/api/data/v9.2/emails", incoming_email(messageid), "1"},
          {"POST", "/api/data/v9.2/activitymimeattachments",
           {{"objectid_activitypointer@odata.bind", "$1"},
            {"objecttypecode", "email"},
            {"filename", filename},
            {"mimetype", "application/pdf"},
            {"body", "aGVsbG8="}},
           "2"},
          {"PATCH", "$1", {{"statecode", 1}, {"statuscode", 4}}, "3"}};
}

TEST(SimBatch, ChangeSetCreatesMessageWithReferences) {
  SimProcess sim;
  SimClient client(sim.port());
  auto r = send_batch(client, batch_body({message_ops("<b1@x>"), message_ops("<b2@x>")}));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  EXPECT_NE(r->get_header_value("Content-Type").find("multipart/mixed; boundary=batchresponse_"),
            std::string::npos);
  EXPECT_EQ(count(r->body, "HTTP/1.1 204 No Content"), 6);
  EXPECT_EQ(count(r->body, "boundary=changesetresponse_"), 2);
  EXPECT_EQ(count(r->body, "OData-EntityId: "), 4);
  json emails = client.sim("emails");
  ASSERT_EQ(emails.size(), 3u);
  for (std::size_t i = 1; i < 3; ++i) {
    EXPECT_EQ(emails[i]["statuscode"], 4);
    EXPECT_EQ(emails[i]["attachments"].size(), 1u);
    EXPECT_EQ(emails[i]["email_activity_parties"].size(), 3u);
  }
  EXPECT_EQ(client.sim("stats")["batch_inner_requests"], 6);
}

TEST(SimBatch, FailedChangeSetRollsBackAndEndsTheBatch) {
  SimProcess sim;
  SimClient client(sim.port());
  auto bad = message_ops("<bad@x>", "virus.exe");
  auto r = send_batch(client, batch_body({bad, message_ops("<after@x>")}));
  ASSERT_EQ(r->status, 200);
  EXPECT_EQ(count(r->body, "HTTP/1.1 400 Bad Request"), 1);
  EXPECT_NE(r->body.find("0x80043e09"), std::string::npos);
  EXPECT_EQ(count(r->body, "HTTP/1.1 204"), 0);  // one error part for the change set, then stop
  EXPECT_EQ(client.sim("emails").size(), 1u);     // the e-mail of the failed set was rolled back
}

TEST(SimBatch, ContinueOnErrorRunsTheRest) {
  SimProcess sim;
  SimClient client(sim.port());
  auto bad = message_ops("<bad@x>", "virus.exe");
  auto r = send_batch(client, batch_body({bad, message_ops("<after@x>")}),
                      "odata.continue-on-error");
  EXPECT_EQ(count(r->body, "HTTP/1.1 400"), 1);
  EXPECT_EQ(count(r->body, "HTTP/1.1 204"), 3);
  EXPECT_EQ(client.sim("emails").size(), 2u);
}

TEST(SimBatch, NestedChangeSetErrorsAreASwitch) {
  SimProcess sim({"--changeset-error-nested"});
  SimClient client(sim.port());
  auto r = send_batch(client, batch_body({message_ops("<bad@x>", "virus.exe")}));
  EXPECT_EQ(count(r->body, "boundary=changesetresponse_"), 1);
  EXPECT_EQ(count(r->body, "HTTP/1.1 204"), 1);  // the e-mail's answer, then the failure
  EXPECT_EQ(count(r->body, "HTTP/1.1 400"), 1);
  EXPECT_EQ(client.sim("emails").size(), 1u);
}

TEST(SimBatch, PlainPartsAndGets) {
  SimProcess sim;
  SimClient client(sim.port());
  std::vector<std::vector<Op>> parts{
      {{"GET", "/api/data/v9.2/contacts?$select=fullname&$top=1", nullptr, ""}},
      {{"POST", "/api/data/v9.2/emails", incoming_email("<plain@x>"), ""}}};
  auto r = send_batch(client, batch_body(parts, false));
  ASSERT_EQ(r->status, 200);
  EXPECT_EQ(count(r->body, "HTTP/1.1 200 OK"), 1);
  EXPECT_EQ(count(r->body, "HTTP/1.1 204"), 1);
  EXPECT_NE(r->body.find("\"fullname\""), std::string::npos);
}

TEST(SimBatch, MoreThan1000RequestsIsRejected) {
  SimProcess sim;
  SimClient client(sim.port());
  std::vector<std::vector<Op>> parts(1001, {{"GET", "contacts?$top=1", nullptr, ""}});
  auto r = send_batch(client, batch_body(parts, false));
  EXPECT_EQ(r->status, 400);
  parts.resize(1000);
  EXPECT_EQ(send_batch(client, batch_body(parts, false))->status, 200);
}

TEST(SimBatch, MissingBoundaryIsABadRequest) {
  SimProcess sim;
  SimClient client(sim.port());
  auto r = client.raw_post("/api/data/v9.2/$batch", "x", "multipart/mixed");
  EXPECT_EQ(r->status, 400);
}

}  // namespace
}  // namespace crmr::sim::test
