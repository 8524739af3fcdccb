// Request building and response parsing of the Dataverse client, without a
// server: OData literals, URLs, the e-mail body, $batch in both directions.
#include <gtest/gtest.h>

#include "core/crm/dataverse_email.h"
#include "core/crm/dataverse_request.h"
#include "core/crm/dataverse_duplicate_lookup.h"
#include "core/base/normalize.h"
#include "core/engine/push_message_of.h"
#include "core/report/report.h"
#include "tests/support/result_matchers.h"

namespace crmr::dataverse {
namespace {

struct LiteralCase {
  std::string id;
  std::string literal;
  std::string encoded;  // url_encode(literal)
};

TEST(ODataLiteral, DoublesQuotesAndPercentEncodesHostileMessageIds) {
  const std::vector<LiteralCase> cases = {
      {"<a@b>", "'<a@b>'", "%27%3Ca%40b%3E%27"},
      {"<o'brien@x>", "'<o''brien@x>'", "%27%3Co%27%27brien%40x%3E%27"},
      {"<a&b=c#d%e/f+g?h@x>", "'<a&b=c#d%e/f+g?h@x>'",
       "%27%3Ca%26b%3Dc%23d%25e%2Ff%2Bg%3Fh%40x%3E%27"},
      {"<''@x>", "'<''''@x>'", "%27%3C%27%27%27%27%40x%3E%27"},
      {"<müller ü@bü.example>", "'<müller ü@bü.example>'",
       "%27%3Cm%C3%BCller%20%C3%BC%40b%C3%BC.example%3E%27"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(odata_string(c.id), c.literal) << c.id;
    EXPECT_EQ(url_encode(odata_string(c.id)), c.encoded) << c.id;
  }
}

TEST(ODataLiteral, DuplicateQueryEncodesTheWholeFilter) {
  EXPECT_EQ(message_id_query("<it's&#1@x>"),
            "emails?$select=activityid&$filter=messageid%20eq%20%27%3Cit%27%27s%26%231%40x%3E%27"
            "&$top=1");
}

TEST(EntitySet, PluralisesLogicalNames) {
  EXPECT_EQ(entity_set("contact"), "contacts");
  EXPECT_EQ(entity_set("opportunity"), "opportunities");
  EXPECT_EQ(entity_set("incident"), "incidents");
  EXPECT_EQ(entity_set("systemuser"), "systemusers");
  EXPECT_EQ(entity_set("queue"), "queues");
  EXPECT_EQ(entity_set("usersettings"), "usersettingscollection");
  EXPECT_EQ(entity_set("new_project"), "new_projects");
}

TEST(Responses, ErrorTextIsCodeAndMessage) {
  EXPECT_EQ(error_text(R"({"error":{"code":"0x80044a02","message":"too big"}})"), "0x80044a02: too big");
  EXPECT_EQ(error_text(R"({"error":{"code":"","message":"bad"}})"), "bad");
  EXPECT_EQ(error_text("<html>Bad gateway</html>"), "<html>Bad gateway</html>");
}

TEST(Responses, EntityIdFromODataEntityId) {
  EXPECT_EQ(id_from_entity_url("https://org.crm.dynamics.com/api/data/v9.2/emails(1f2e3d4c-0000-1111-2222-333344445555)"),
            "1f2e3d4c-0000-1111-2222-333344445555");
  EXPECT_EQ(id_from_entity_url("no id here"), "");
}

TEST(Responses, InvalidJsonNamesTheRequestAndStaysQueued) {
  auto j = parse_json("{\"value\": [", "duplicate check of outbox item 7");
  ASSERT_FALSE(j);
  EXPECT_ERROR_CODE(j, Code::CrmBadResponse);
  EXPECT_NE(j.error().message.find("duplicate check of outbox item 7"), std::string::npos);
  EXPECT_EQ(j.error().retry, Retry::Later);

  HttpResponse r{200, {}, "<html>login page</html>"};
  auto found = parse_found_id(r, "duplicate check");
  ASSERT_FALSE(found);
  EXPECT_EQ(found.error().retry, Retry::Later);
}

TEST(Responses, PageRowsArePassedOnOneByOneAndNotKept) {
  std::vector<std::string> rows;
  auto page = parse_json_rows(
      R"({"@odata.context":"c","value":[{"a":"1","p":[{"value":"x"}]},{"a":"2"},3],)"
      R"("@odata.nextLink":"next"})",
      "sync of contacts (page 1)", [&](const nlohmann::json& row) { rows.push_back(row.dump()); });
  ASSERT_OK(page);
  EXPECT_EQ(rows, (std::vector<std::string>{R"({"a":"1","p":[{"value":"x"}]})", R"({"a":"2"})", "3"}));
  EXPECT_EQ((*page)["value"], nlohmann::json::array());
  EXPECT_EQ((*page)["@odata.nextLink"], "next");
  auto bad = parse_json_rows(R"({"value":[{"a":1},)", "sync of contacts (page 2)", [](auto&) {});
  ASSERT_FALSE(bad);
  EXPECT_ERROR_CODE(bad, Code::CrmBadResponse);
  EXPECT_NE(bad.error().message.find("sync of contacts (page 2)"), std::string::npos);
}

TEST(Responses, FoundIdOrNothing) {
  HttpResponse none{200, {}, R"({"value":[]})"};
  ASSERT_TRUE(parse_found_id(none, "q"));
  EXPECT_FALSE(*parse_found_id(none, "q"));
  HttpResponse one{200, {}, R"({"value":[{"activityid":"abc"}]})"};
  EXPECT_EQ(parse_found_id(one, "q")->value(), "abc");
}

TEST(Responses, TokenAnswer) {
  auto t = parse_token(R"({"token_type":"Bearer","expires_in":3599,"access_token":"eyJ0"})");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->access_token, "eyJ0");
  EXPECT_EQ(t->expires_in_s, 3599);
  EXPECT_FALSE(parse_token(R"({"error":"invalid_client"})"));
}

TEST(Batch, BodyHasOneChangeSetWithContentIds) {
  std::vector<BatchRequest> reqs = {
      {"POST", "/api/data/v9.2/emails", "1", {{"subject", "x"}}},
      {"PATCH", "$1", "2", {{"statecode", 1}}},
  };
  std::string body = batch_body(reqs, "abc");
  EXPECT_EQ(batch_content_type("abc"), "multipart/mixed; boundary=batch_abc");
  EXPECT_EQ(body,
            "--batch_abc\r\nContent-Type: multipart/mixed; boundary=changeset_abc\r\n\r\n"
            "--changeset_abc\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n"
            "Content-ID: 1\r\n\r\nPOST /api/data/v9.2/emails HTTP/1.1\r\n"
            "Content-Type: application/json; charset=utf-8\r\n\r\n{\"subject\":\"x\"}\r\n"
            "--changeset_abc\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n"
            "Content-ID: 2\r\n\r\nPATCH $1 HTTP/1.1\r\n"
            "Content-Type: application/json; charset=utf-8\r\n\r\n{\"statecode\":1}\r\n"
            "--changeset_abc--\r\n--batch_abc--\r\n");
}

TEST(Batch, ParsesASuccessfulChangeSetResponse) {
  std::string body =
      "--batchresponse_1\r\nContent-Type: multipart/mixed; boundary=changesetresponse_2\r\n\r\n"
      "--changesetresponse_2\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n"
      "Content-ID: 1\r\n\r\nHTTP/1.1 204 No Content\r\nOData-Version: 4.0\r\n"
      "OData-EntityId: http://h/api/data/v9.2/emails(11111111-2222-3333-4444-555555555555)\r\n\r\n\r\n"
      "--changesetresponse_2\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n"
      "Content-ID: 2\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n\r\n"
      "--changesetresponse_2--\r\n--batchresponse_1--\r\n";
  auto parts = parse_batch_response("multipart/mixed; boundary=batchresponse_1", body, "$batch");
  ASSERT_TRUE(parts) << parts.error().message;
  ASSERT_EQ(parts->size(), 2u);
  EXPECT_EQ((*parts)[0].status, 204);
  EXPECT_EQ((*parts)[0].content_id, "1");
  EXPECT_EQ(id_from_entity_url((*parts)[0].header("OData-EntityId")), "11111111-2222-3333-4444-555555555555");
}

TEST(Batch, ParsesAFailedChangeSetAsOneErrorPart) {
  std::string body =
      "--batchresponse_9\nContent-Type: application/http\nContent-Transfer-Encoding: binary\n\n"
      "HTTP/1.1 400 Bad Request\nContent-Type: application/json; odata.metadata=minimal\n\n"
      "{\"error\":{\"code\":\"0x80043e09\",\"message\":\"blocked\"}}\n--batchresponse_9--\n";
  auto parts = parse_batch_response("multipart/mixed; boundary=\"batchresponse_9\"", body, "$batch");
  ASSERT_TRUE(parts);
  ASSERT_EQ(parts->size(), 1u);
  EXPECT_EQ((*parts)[0].status, 400);
  EXPECT_EQ(error_text((*parts)[0].body), "0x80043e09: blocked");
}

TEST(Batch, MalformedResponsesAreErrorsNotCrashes) {
  for (std::string body : {"", "--b\r\n", "--b\r\n\r\nnot http\r\n--b--\r\n", "garbage"}) {
    auto parts = parse_batch_response("multipart/mixed; boundary=b", body, "$batch create of x");
    EXPECT_FALSE(parts) << body;
  }
  EXPECT_FALSE(parse_batch_response("application/json", "{}", "$batch"));
}

// A queued message: raw bytes plus its decision as the pipeline stores it.
PushMessage queued(const std::string& raw, const ReportEntry& e) {
  return push_message_of(OutboxMessage{7, e.key, raw, entry_to_json(e)});
}

ReportEntry decided(const std::string& message_id) {
  ReportEntry e;
  e.key = message_id;
  e.message_id = message_id;
  e.outcome = "queued";
  e.regarding = Regarding{"opportunity", "0000000a-0000-0000-0000-000000000001"};
  e.parties = {Party{"from", "jane@fabrikam.example", "contact", "c1", "Jane", ""},
               Party{"to", "megan@contoso.example", "systemuser", "u1", "Megan", ""},
               Party{"cc", "stranger@else.example", "", "", "", ""}};
  return e;
}

const char* kMixed =
    "From: Jane <jane@fabrikam.example>\r\nTo: megan@contoso.example\r\nCc: stranger@else.example\r\n"
    "Subject: Order & <quote>\r\nDate: Fri, 01 May 2026 10:00:00 +0000\r\n"
    "Message-ID: <o'brien&1@x.example>\r\nImportance: high\r\nMIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; boundary=XX\r\n\r\n"
    "--XX\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHello <world> & more\r\n"
    "--XX\r\nContent-Type: application/pdf; name=a.pdf\r\nContent-Disposition: attachment; filename=a.pdf\r\n"
    "Content-Transfer-Encoding: base64\r\n\r\nJVBERi0=\r\n"
    "--XX\r\nContent-Type: application/octet-stream; name=b.exe\r\nContent-Disposition: attachment; filename=b.exe\r\n"
    "Content-Transfer-Encoding: base64\r\n\r\nTVo=\r\n--XX--\r\n";

TEST(EmailPlan, DeepInsertWithPartiesRegardingAndEscapedTextBody) {
  ReportEntry e = decided("o'brien&1@x.example");
  e.attachments = {AttachmentVerdict{"a.pdf", 5, true, ""},
                   AttachmentVerdict{"b.exe", 2, false, "blocked extension .exe"}};
  auto p = plan_email(queued(kMixed, e));
  ASSERT_TRUE(p) << p.error().message;
  const auto& j = p->email;
  EXPECT_EQ(j["subject"], "Order & <quote>");
  EXPECT_EQ(j["messageid"], "<o'brien&1@x.example>");
  EXPECT_EQ(j["directioncode"], false);
  EXPECT_EQ(j["sender"], "jane@fabrikam.example");
  EXPECT_EQ(j["torecipients"], "megan@contoso.example");
  EXPECT_EQ(j["actualend"], "2026-05-01T10:00:00Z");
  EXPECT_EQ(j["prioritycode"], 2);
  EXPECT_EQ(j["regardingobjectid_opportunity_email@odata.bind"],
            "/opportunities(0000000a-0000-0000-0000-000000000001)");
  const std::string body = j["description"];
  EXPECT_EQ(body.rfind("<pre>Hello &lt;world&gt; &amp; more", 0), 0u) << body;
  EXPECT_NE(body.find("Attachments left out by crm-router: b.exe (blocked extension .exe)"),
            std::string::npos);
  const auto& parties = j["email_activity_parties"];
  ASSERT_EQ(parties.size(), 3u);
  EXPECT_EQ(parties[0]["participationtypemask"], 1);
  EXPECT_EQ(parties[0]["partyid_contact@odata.bind"], "/contacts(c1)");
  EXPECT_EQ(parties[1]["participationtypemask"], 2);
  EXPECT_EQ(parties[1]["partyid_systemuser@odata.bind"], "/systemusers(u1)");
  EXPECT_EQ(parties[2]["participationtypemask"], 3);
  EXPECT_EQ(parties[2]["addressused"], "stranger@else.example");
  EXPECT_FALSE(parties[2].contains("partyid_contact@odata.bind"));
  ASSERT_EQ(p->attachments.size(), 1u);
  EXPECT_EQ(p->attachments[0]["filename"], "a.pdf");
  EXPECT_EQ(p->attachments[0]["mimetype"], "application/pdf");
  EXPECT_EQ(p->attachments[0]["body"], "JVBERi0=");
}

TEST(EmailPlan, ChangeSetBindsAttachmentsToTheNewEmailAndCompletesIt) {
  ReportEntry e = decided("o'brien&1@x.example");
  auto p = plan_email(queued(kMixed, e));
  ASSERT_TRUE(p);
  auto patch = change_set(*p, ChangeSetOptions{});
  ASSERT_EQ(patch.size(), 4u);  // email, 2 attachments, PATCH
  EXPECT_EQ(patch[0].url, "/api/data/v9.2/emails");
  EXPECT_EQ(patch[0].content_id, "1");
  EXPECT_FALSE(patch[0].body.contains("statecode"));
  EXPECT_EQ(patch[1].body["objectid_activitypointer@odata.bind"], "$1");
  EXPECT_EQ(patch[3].method, "PATCH");
  EXPECT_EQ(patch[3].url, "$1");
  EXPECT_EQ(patch[3].body, (nlohmann::json{{"statecode", 1}, {"statuscode", 4}}));

  auto in_body = change_set(*p, ChangeSetOptions{"/org/api/data/v9.1/", true, true});
  ASSERT_EQ(in_body.size(), 3u);  // no PATCH
  EXPECT_EQ(in_body[0].url, "/org/api/data/v9.1/emails");
  EXPECT_EQ(in_body[0].body["statecode"], 1);
  EXPECT_EQ(in_body[0].body["statuscode"], 4);
  EXPECT_EQ(in_body[1].body["objectid_email@odata.bind"], "$1");
}

TEST(EmailPlan, TruncatesSubjectAndMessageIdAndSaysSo) {
  std::string long_id(400, 'a');
  long_id += "@x";
  std::string subject;
  for (int i = 0; i < 900; ++i) subject += "\xC3\xBC";  // ü: 2 bytes, 1 character
  std::string raw = "From: a@b\r\nTo: c@d\r\nSubject: =?utf-8?B?" + base64_encode(subject) +
                    "?=\r\nMessage-ID: <" + long_id + ">\r\n\r\nbody\r\n";
  auto p = plan_email(queued(raw, decided(long_id)));
  ASSERT_TRUE(p);
  EXPECT_EQ(p->message_id.size(), 320u);
  EXPECT_EQ(p->email["subject"].get<std::string>().size(), 1600u);  // 800 characters
  EXPECT_EQ(p->notes.size(), 2u);
}

TEST(EmailPlan, HtmlBodyKeepsHtmlAndGetsTheNoteBeforeBodyEnd) {
  std::string raw =
      "From: a@b\r\nTo: c@d\r\nSubject: s\r\nMessage-ID: <h@x>\r\nMIME-Version: 1.0\r\n"
      "Content-Type: multipart/mixed; boundary=Q\r\n\r\n--Q\r\nContent-Type: text/html\r\n\r\n"
      "<html><body><b>Hi</b></body></html>\r\n--Q\r\nContent-Type: application/x-msdownload\r\n"
      "Content-Disposition: attachment; filename=x.exe\r\n\r\nMZ\r\n--Q--\r\n";
  ReportEntry e = decided("h@x");
  e.attachments = {AttachmentVerdict{"x.exe", 2, false, "blocked extension .exe"}};
  auto p = plan_email(queued(raw, e));
  ASSERT_TRUE(p);
  EXPECT_EQ(p->email["description"],
            "<html><body><b>Hi</b><p>Attachments left out by crm-router: x.exe (blocked extension "
            ".exe)</p></body></html>");
  EXPECT_EQ(p->email["notifications"], 1);
  EXPECT_TRUE(p->attachments.empty());
}

TEST(EmailPlan, MessageWithoutIdGetsOneFromItsKey) {
  ReportEntry e = decided("");
  e.key = "sha256:abc";
  auto p = plan_email(queued("From: a@b\r\nTo: c@d\r\nSubject: s\r\n\r\nx\r\n", e));
  ASSERT_TRUE(p);
  EXPECT_EQ(p->message_id, "<sha256:abc@crm-router.invalid>");
}

TEST(EmailPlan, UnreadableDecisionIsPermanent) {
  auto p = plan_email(push_message_of(OutboxMessage{1, "k", "From: a@b\r\n\r\nx", "{not json"}));
  ASSERT_FALSE(p);
  EXPECT_ERROR_CODE(p, Code::CrmBadOutbox);
  EXPECT_EQ(p.error().retry, Retry::Never);
}

TEST(ServerMode, CheckIncomingEmailUsesEncodedParameterAliases) {
  auto p = plan_email(queued(kMixed, decided("o'brien&1@x.example")));
  ASSERT_TRUE(p);
  std::string url = check_incoming_url(*p);
  EXPECT_EQ(url.rfind("CheckIncomingEmail(MessageId=@m,Subject=@s,From=@f,To=@t,Cc=@c,Bcc=@b)?@m=", 0), 0u);
  EXPECT_NE(url.find("@m=%27%3Co%27%27brien%261%40x.example%3E%27"), std::string::npos) << url;
  auto body = deliver_incoming_body(*p);
  EXPECT_EQ(body["MessageId"], "<o'brien&1@x.example>");
  EXPECT_EQ(body["Attachments"].size(), 2u);
  EXPECT_EQ(std::string(incoming_reason_name(2)), "CorrelationMatch");
  EXPECT_EQ(std::string(incoming_reason_name(-1)), "Unknown");
  EXPECT_EQ(std::string(incoming_reason_name(7)), "InvalidSender");
}

}  // namespace
}  // namespace crmr::dataverse
