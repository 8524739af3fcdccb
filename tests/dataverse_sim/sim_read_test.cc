// dataverse-sim: attachments, reading (filters, paging, change tracking,
// annotations) and CheckIncomingEmail/DeliverIncomingEmail.
#include "sim_test_util.h"

namespace crmr::sim::test {
namespace {

std::string base64(const std::string& bytes) {
  static const char* t = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    unsigned v = (unsigned char)bytes[i] << 16 | (unsigned char)bytes[i + 1] << 8 |
                 (unsigned char)bytes[i + 2];
    out += {t[v >> 18], t[(v >> 12) & 63], t[(v >> 6) & 63], t[v & 63]};
  }
  if (i < bytes.size()) {
    unsigned v = (unsigned char)bytes[i] << 16;
    if (i + 1 < bytes.size()) v |= (unsigned char)bytes[i + 1] << 8;
    out += {t[v >> 18], t[(v >> 12) & 63], i + 1 < bytes.size() ? t[(v >> 6) & 63] : '=', '='};
  }
  return out;
}

json attachment(const std::string& email_id, const std::string& filename, std::size_t size,
                bool pointer_bind = true) {
  json a{{"objecttypecode", "email"},
         {"filename", filename},
         {"mimetype", "application/pdf"},
         {"body", base64(std::string(size, 'x'))}};
  if (pointer_bind)
    a["objectid_activitypointer@odata.bind"] = "/activitypointers(" + email_id + ")";
  else
    a["objectid_email@odata.bind"] = "/emails(" + email_id + ")";
  return a;
}

TEST(SimAttachments, BothBindFormsCreateAttachments) {
  SimProcess sim;
  SimClient client(sim.port());
  std::string id = entity_id(client.post("emails", incoming_email("<att@x>")));
  EXPECT_EQ(client.post("activitymimeattachments", attachment(id, "a.pdf", 10))->status, 204);
  EXPECT_EQ(client.post("activitymimeattachments", attachment(id, "b.pdf", 10, false))->status, 204);
  json email = client.sim("emails")[1];
  EXPECT_EQ(email["attachmentcount"], 2);
  ASSERT_EQ(email["attachments"].size(), 2u);
  EXPECT_EQ(email["attachments"][0]["filesize"], 10);
}

TEST(SimAttachments, OrganisationLimitsGiveDocumentedCodes) {
  SimProcess sim;  // seed: maxuploadfilesize 1048576, blocked exe;.BAT; js;vbs
  SimClient client(sim.port());
  std::string id = entity_id(client.post("emails", incoming_email("<lim@x>")));
  // 786432 bytes -> 1048576 base64 characters: exactly the limit
  EXPECT_EQ(client.post("activitymimeattachments", attachment(id, "ok.pdf", 786432))->status, 204);
  auto big = client.post("activitymimeattachments", attachment(id, "big.pdf", 786433));
  EXPECT_EQ(big->status, 400);
  EXPECT_EQ(error_code(big), "0x80044a02");
  for (const char* name : {"run.exe", "RUN.bat", "x.JS", "y.vbs"}) {
    auto blocked = client.post("activitymimeattachments", attachment(id, name, 5));
    EXPECT_EQ(blocked->status, 400) << name;
    EXPECT_EQ(error_code(blocked), "0x80043e09") << name;
  }
  auto orphan = client.post("activitymimeattachments",
                            attachment("aaaaaaaa-0000-0000-0000-000000000000", "a.pdf", 5));
  EXPECT_EQ(error_code(orphan), "0x80040217");
}

TEST(SimAttachments, BlockUploadAssemblesTheFile) {
  SimProcess sim;
  SimClient client(sim.port());
  std::string id = entity_id(client.post("emails", incoming_email("<blocks@x>")));
  json target{{"@odata.type", "Microsoft.Dynamics.CRM.activitymimeattachment"},
              {"filename", "big.pdf"},
              {"mimetype", "application/pdf"},
              {"objecttypecode", "email"},
              {"objectid_activitypointer@odata.bind", "/activitypointers(" + id + ")"}};
  auto init = client.post("InitializeAttachmentBlocksUpload", {{"Target", target}});
  ASSERT_EQ(init->status, 200);
  std::string token = json::parse(init->body)["FileContinuationToken"];
  for (auto [block, fill] : {std::pair{"QUFB", 'a'}, {"QkJC", 'b'}})
    EXPECT_EQ(client.post("UploadBlock", {{"BlockId", block},
                                          {"BlockData", base64(std::string(300000, fill))},
                                          {"FileContinuationToken", token}})
                  ->status,
              204);
  auto odd_id = client.post("UploadBlock", {{"BlockId", "QUFBQUFB"},
                                            {"BlockData", base64("z")},
                                            {"FileContinuationToken", token}});
  EXPECT_EQ(odd_id->status, 400);  // block ids of one upload have one length
  auto commit = client.post("CommitAttachmentBlocksUpload",
                            {{"Target", target},
                             {"BlockList", {"QUFB", "QkJC"}},
                             {"FileContinuationToken", token}});
  ASSERT_EQ(commit->status, 200);
  EXPECT_EQ(json::parse(commit->body)["FileSizeInBytes"], 600000);
  EXPECT_EQ(client.sim("emails")[1]["attachments"][0]["filesize"], 600000);

  init = client.post("InitializeAttachmentBlocksUpload", {{"Target", target}});
  token = json::parse(init->body)["FileContinuationToken"];
  auto huge = client.post("UploadBlock", {{"BlockId", "QUFB"},
                                          {"BlockData", base64(std::string(4 * 1024 * 1024, 'h'))},
                                          {"FileContinuationToken", token}});
  EXPECT_EQ(huge->status, 400);
  target["filename"] = "evil.exe";
  EXPECT_EQ(error_code(client.post("InitializeAttachmentBlocksUpload", {{"Target", target}})),
            "0x80043e09");
}

TEST(SimRead, FilterOnMessageIdDoublesQuotes) {
  SimProcess sim;
  SimClient client(sim.port());
  client.post("emails", incoming_email("<o'hara@x>"));
  auto r = client.get("emails?$select=activityid&$filter=" +
                      url_encode("messageid eq '<o''hara@x>'") + "&$top=1");
  ASSERT_EQ(r->status, 200);
  EXPECT_EQ(json::parse(r->body)["value"].size(), 1u);
  auto none = client.get("emails?$select=activityid&$filter=" +
                         url_encode("messageid eq '<nobody@x>'"));
  EXPECT_EQ(json::parse(none->body)["value"].size(), 0u);
  auto active = client.get("contacts?$select=fullname&$filter=statecode%20eq%200");
  EXPECT_EQ(json::parse(active->body)["value"].size(), 4u);
  auto since = client.get("contacts?$select=fullname&$filter=modifiedon%20ge%202000-01-01T00:00:00Z");
  EXPECT_EQ(json::parse(since->body)["value"].size(), 5u);
  auto future = client.get("contacts?$select=fullname&$filter=modifiedon%20ge%202999-01-01T00:00:00Z");
  EXPECT_EQ(json::parse(future->body)["value"].size(), 0u);
  EXPECT_EQ(client.get("contacts?$filter=statecode%20eq")->status, 400);
}

// The duplicate check of many messages: the In query function (values as
// OData literals or JSON strings) and eq comparisons joined by or, both
// without case as Dataverse compares text; what the simulator does not know
// is a 400 with an OData error body, as Dataverse answers unknown syntax.
TEST(SimRead, InFunctionAndOrJoinedEqFindManyMessageIds) {
  SimProcess sim;
  SimClient client(sim.port());
  for (const char* id : {"<a@x>", "<O'Hara@x>", "<c@x>"}) client.post("emails", incoming_email(id));
  auto count = [&](const std::string& filter) -> long {
    auto r = client.get("emails?$select=activityid,messageid&$filter=" + url_encode(filter));
    if (!r || r->status != 200) return r ? -r->status : -1;
    return static_cast<long>(json::parse(r->body)["value"].size());
  };
  EXPECT_EQ(count("Microsoft.Dynamics.CRM.In(PropertyName='messageid',PropertyValues=['<A@x>','<o''hara@x>','<none@x>'])"), 2);
  EXPECT_EQ(count("Microsoft.Dynamics.CRM.In(PropertyValues=[\"<c@x>\"],PropertyName='messageid')"), 1);
  EXPECT_EQ(count("messageid eq '<a@x>' or messageid eq '<C@X>' or messageid eq '<none@x>'"), 2);
  EXPECT_EQ(count("Microsoft.Dynamics.CRM.In(PropertyName='messageid',PropertyValues=['<a@x>']) and "
                  "directioncode eq true"), 0);
  for (const char* bad : {"Microsoft.Dynamics.CRM.In(PropertyName='messageid',PropertyValues=[])",
                          "Microsoft.Dynamics.CRM.In(PropertyName='messageid',PropertyValues='<a@x>')",
                          "Microsoft.Dynamics.CRM.In(PropertyName=@p1,PropertyValues=['<a@x>'])",
                          "Microsoft.Dynamics.CRM.In(PropertyName='messageid')",
                          "Microsoft.Dynamics.CRM.InList(PropertyName='messageid',PropertyValues=['<a@x>'])",
                          "messageid in ('<a@x>')"}) {
    auto r = client.get("emails?$filter=" + url_encode(bad));
    ASSERT_TRUE(r) << bad;
    EXPECT_EQ(r->status, 400) << bad;
    EXPECT_EQ(error_code(r), "0x80060888") << bad;
  }
}

TEST(SimRead, PagesFollowNextLinkUntilDone) {
  SimProcess sim;
  SimClient client(sim.port());
  std::string url = "contacts?$select=contactid,fullname";
  std::size_t rows = 0, pages = 0;
  while (!url.empty() && pages < 10) {
    auto r = client.get(url, "odata.maxpagesize=2");
    ASSERT_EQ(r->status, 200);
    auto body = json::parse(r->body);
    rows += body["value"].size();
    ++pages;
    url = body.value("@odata.nextLink", "");
    if (!url.empty()) url = url.substr(url.find("/api/"));
  }
  EXPECT_EQ(rows, 5u);
  EXPECT_EQ(pages, 3u);
  auto top = client.get("contacts?$top=2");
  EXPECT_EQ(json::parse(top->body)["value"].size(), 2u);
}

TEST(SimRead, DeltaLinkReturnsChangesAndDeletions) {
  SimProcess sim;
  SimClient client(sim.port());
  auto first = client.get("contacts?$select=fullname,emailaddress1", "odata.track-changes");
  ASSERT_EQ(first->status, 200);
  auto body = json::parse(first->body);
  EXPECT_EQ(body["value"].size(), 5u);
  std::string delta = body["@odata.deltaLink"];
  delta = delta.substr(delta.find("/api/"));

  client.patch("contacts(" + std::string(kContact) + ")", {{"fullname", "Alice Renamed"}});
  client.del("contacts(33333333-0000-0000-0000-000000000005)");
  auto changes = json::parse(client.get(delta)->body);
  ASSERT_EQ(changes["value"].size(), 2u);
  EXPECT_EQ(changes["value"][0]["fullname"], "Alice Renamed");
  EXPECT_EQ(changes["value"][1]["id"], "33333333-0000-0000-0000-000000000005");
  EXPECT_EQ(changes["value"][1]["reason"], "deleted");
  EXPECT_NE(changes["value"][1]["@odata.context"].get<std::string>().find("$deletedEntity"),
            std::string::npos);
  std::string next = changes["@odata.deltaLink"];
  EXPECT_EQ(json::parse(client.get(next.substr(next.find("/api/")))->body)["value"].size(), 0u);

  EXPECT_EQ(client.get("contacts?$filter=statecode%20eq%200", "odata.track-changes")->status, 400);
  auto expired = client.get("contacts?$select=fullname&$deltatoken=1%211000");
  EXPECT_EQ(expired->status, 400);
  EXPECT_EQ(error_code(expired), "0x80044352");
}

TEST(SimRead, IncludeAnnotationsAddsLookupLogicalName) {
  SimProcess sim;
  SimClient client(sim.port());
  std::string q = "emails?$select=activityid,_regardingobjectid_value";
  auto plain = json::parse(client.get(q)->body)["value"][0];
  EXPECT_FALSE(plain.contains("_regardingobjectid_value@Microsoft.Dynamics.CRM.lookuplogicalname"));
  auto annotated =
      json::parse(client.get(q, "odata.include-annotations=\"*\"")->body)["value"][0];
  EXPECT_EQ(annotated["_regardingobjectid_value@Microsoft.Dynamics.CRM.lookuplogicalname"],
            "opportunity");
}

TEST(SimRead, EmailPartiesExpandWithSelectAndFilter) {
  // Generated e-mails: a To and a Cc party each, `torecipients`, no Cc column.
  SimProcess sim({"--generate-emails", "3", "--generate-days", "2"});
  SimClient client(sim.port());
  const std::string expand = url_encode(
      "email_activity_parties($select=participationtypemask,addressused;"
      "$filter=participationtypemask eq 3)");
  auto r = client.get("emails?$select=activityid,torecipients&$filter=" +
                      url_encode("trackingtoken eq 'CRM:01000001'") + "&$expand=" + expand);
  ASSERT_EQ(r->status, 200) << r->body;
  auto row = json::parse(r->body)["value"][0];
  EXPECT_EQ(row["torecipients"], "customer1@example.org");
  ASSERT_EQ(row["email_activity_parties"].size(), 1u);
  EXPECT_EQ(row["email_activity_parties"][0]["addressused"], "team1@example.org");
  EXPECT_EQ(row["email_activity_parties"][0]["participationtypemask"], 3);
  // ccrecipients is not a column of the e-mail table: Dataverse refuses it.
  auto cc = client.get("emails?$select=activityid,ccrecipients");
  EXPECT_EQ(cc->status, 400);
  EXPECT_NE(cc->body.find("Could not find a property named 'ccrecipients'"), std::string::npos);
  EXPECT_EQ(client.get("contacts?$expand=" + url_encode("parentcustomerid_account"))->status, 400);
  // modifiedon spread over the last two days: one a day.
  auto recent = client.get("emails?$select=activityid&$filter=" +
                           url_encode("trackingtoken ne null and modifiedon ge 2000-01-01T00:00:00Z"));
  EXPECT_GE(json::parse(recent->body)["value"].size(), 3u);
}

TEST(SimRead, OrganizationCarriesSettings) {
  SimProcess sim;
  SimClient client(sim.port());
  auto org = json::parse(
      client.get("organizations?$select=trackingprefix,maxuploadfilesize,hashmaxcount,"
                 "enablesmartmatching,blockedattachments")->body)["value"][0];
  EXPECT_EQ(org["trackingprefix"], "CRM:;CASE:");
  EXPECT_EQ(org["maxuploadfilesize"], 1048576);
  EXPECT_EQ(org["hashmaxcount"], 20);  // default kept
  EXPECT_EQ(org["enablesmartmatching"], false);
  auto settings = json::parse(client.get("usersettingscollection?$select=systemuserid,"
                                         "incomingemailfilteringmethod")->body)["value"];
  EXPECT_EQ(settings.size(), 2u);
}

struct CheckCase {
  const char* name;
  std::string message_id, subject, from, to;
  bool deliver;
  int reason;
};

TEST(SimIncoming, CheckIncomingEmailReasons) {
  SimProcess sim;
  SimClient client(sim.port());
  client.post("emails", incoming_email("<seen@x>"));
  const std::vector<CheckCase> cases{
      {"duplicate", "<seen@x>", "hi", "alice@customer.example", "x@y", false, 0},
      {"token", "<n1@x>", "Re: CRM:0001005 quote", "someone@else.example", "x@y", true, 2},
      {"accept all", "<n2@x>", "hi", "someone@else.example", "Bob <bob@contoso.example>", true, 6},
      {"sender", "<n3@x>", "hi", "Alice <alice@customer.example>", "x@y", true, 5},
      {"nobody", "<n4@x>", "hi", "someone@else.example", "sales@contoso.example", false, 3},
      {"no sender", "<n5@x>", "hi", "", "x@y", false, 7},
  };
  for (auto& c : cases) {
    auto lit = [](const std::string& v) {
      std::string out = "'";
      for (char ch : v) out += ch == '\'' ? std::string("''") : std::string(1, ch);
      return url_encode(out + "'");
    };
    auto r = client.get("CheckIncomingEmail(MessageId=@m,Subject=@s,From=@f,To=@t,Cc=@c,Bcc=@b)"
                        "?@m=" + lit(c.message_id) + "&@s=" + lit(c.subject) + "&@f=" +
                        lit(c.from) + "&@t=" + lit(c.to) + "&@c=''&@b=''");
    ASSERT_EQ(r->status, 200) << c.name;
    auto body = json::parse(r->body);
    EXPECT_EQ(body["ShouldDeliver"], c.deliver) << c.name;
    EXPECT_EQ(body["ReasonCode"], c.reason) << c.name;
  }
}

TEST(SimIncoming, DeliverIncomingEmailResolvesAndCorrelates) {
  SimProcess sim;
  SimClient client(sim.port());
  json args{{"MessageId", "<deliver@x>"},
            {"Subject", "Re: Quote CRM:0001005"},
            {"From", "Alice <alice@customer.example>"},
            {"To", "sales@contoso.example"},
            {"Cc", "stranger@else.example"},
            {"Bcc", ""},
            {"ReceivedOn", "2026-05-01T10:00:00Z"},
            {"Importance", 1},
            {"Body", "hello"},
            {"ValidateBeforeCreate", true},
            {"Attachments", json::array({{{"filename", "a.txt"}, {"mimetype", "text/plain"},
                                          {"body", base64("hi")}}})}};
  auto r = client.post("emails/Microsoft.Dynamics.CRM.DeliverIncomingEmail", args);
  ASSERT_EQ(r->status, 200) << r->body;
  std::string id = json::parse(r->body)["EmailId"];
  json stored;
  for (auto& e : client.sim("emails"))
    if (e["activityid"] == id) stored = e;
  EXPECT_EQ(stored["_regardingobjectid_value"], kOpportunity);
  EXPECT_EQ(stored["statuscode"], 4);
  EXPECT_EQ(stored["email_activity_parties"][0]["partyobjecttype"], "contact");
  EXPECT_EQ(stored["email_activity_parties"][1]["partyobjecttype"], "queue");
  EXPECT_TRUE(stored["email_activity_parties"][2]["partyobjecttype"].is_null());
  EXPECT_EQ(stored["attachments"].size(), 1u);
  EXPECT_EQ(client.post("emails/Microsoft.Dynamics.CRM.DeliverIncomingEmail", args)->status, 412);
}

}  // namespace
}  // namespace crmr::sim::test
