// The block upload's requests and answers without a server: which
// attachments go by blocks, the change set that leaves such an e-mail open,
// block ids and slices, and what a resumed push still has to send.
#include <gtest/gtest.h>

#include "core/crm/dataverse_blocks.h"
#include "core/crm/dataverse_email.h"
#include "core/base/normalize.h"
#include "core/engine/push_message_of.h"
#include "core/report/report.h"
#include "tests/support/result_matchers.h"

namespace crmr::dataverse {
namespace {

// A message with a small text attachment and two large ones (sizes in bytes).
PushMessage with_large(std::size_t big1, std::size_t big2) {
  std::string raw =
      "From: Jane <jane@fabrikam.example>\r\nTo: megan@contoso.example\r\nSubject: s\r\n"
      "Message-ID: <big@x>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=Q\r\n\r\n"
      "--Q\r\nContent-Type: text/plain\r\n\r\nbody\r\n"
      "--Q\r\nContent-Type: text/plain; name=small.txt\r\nContent-Disposition: attachment; filename=small.txt\r\n"
      "\r\nsmall\r\n";
  std::size_t n = 0;
  for (std::size_t size : {big1, big2}) {
    const std::string bytes(size, static_cast<char>('a' + n));
    const std::string name = "big" + std::to_string(++n);
    raw += "--Q\r\nContent-Type: image/tiff; name=" + name + ".tif\r\nContent-Disposition: attachment; filename=" +
           name + ".tif\r\nContent-ID: <img" + std::to_string(n) +
           ">\r\nContent-Transfer-Encoding: base64\r\n\r\n" + base64_encode(bytes) + "\r\n";
  }
  raw += "--Q--\r\n";
  ReportEntry e;
  e.key = "big@x";
  e.message_id = "big@x";
  e.outcome = "queued";
  return push_message_of(OutboxMessage{3, e.key, raw, entry_to_json(e)});
}

HttpResponse answer(const std::string& body) { return HttpResponse{200, {}, body}; }

TEST(BlockPlan, AttachmentsOverTheThresholdAreNamedNotEncoded) {
  const PushMessage m = with_large(kBlockUploadOver + 1, kBlockUploadOver);
  auto p = plan_email(m, {}, kBlockUploadOver);
  ASSERT_TRUE(p) << p.error().message;
  ASSERT_EQ(p->large.size(), 1u);
  EXPECT_EQ(p->large[0].part, 1u);
  EXPECT_EQ(p->large[0].filename, "big1.tif");
  EXPECT_EQ(p->large[0].mimetype, "image/tiff");
  EXPECT_EQ(p->large[0].content_id, "img1");
  EXPECT_EQ(p->large[0].size, kBlockUploadOver + 1);
  ASSERT_EQ(p->attachments.size(), 2u);  // small.txt and big2.tif (exactly 4 MiB: inline)
  EXPECT_EQ(p->attachments[1]["filename"], "big2.tif");

  // The default (server mode, dry run) keeps everything inline.
  auto inline_only = plan_email(m);
  ASSERT_TRUE(inline_only);
  EXPECT_TRUE(inline_only->large.empty());
  EXPECT_EQ(inline_only->attachments.size(), 3u);
}

TEST(BlockPlan, ChangeSetLeavesAnEmailWithLargeAttachmentsOpen) {
  auto p = plan_email(with_large(kBlockUploadOver + 1, 10), {}, kBlockUploadOver);
  ASSERT_TRUE(p);
  auto patch = change_set(*p, ChangeSetOptions{});
  ASSERT_EQ(patch.size(), 3u);  // e-mail, small.txt, big2.tif: no PATCH $1
  for (const auto& r : patch) EXPECT_NE(r.method, "PATCH");
  auto in_body = change_set(*p, ChangeSetOptions{"/api/data/v9.2/", true, false});
  EXPECT_FALSE(in_body[0].body.contains("statecode"));
  EXPECT_EQ(completed_state_body(), R"({"statecode":1,"statuscode":4})");
}

TEST(BlockPlan, TheBytesAreReadAgainFromTheOutboxItem) {
  const PushMessage m = with_large(kBlockUploadOver + 5, kBlockUploadOver + 9);
  auto p = plan_email(m, {}, kBlockUploadOver);
  ASSERT_TRUE(p);
  ASSERT_EQ(p->large.size(), 2u);
  auto data = large_attachment_data(m, p->large[1], {});
  ASSERT_TRUE(data);
  EXPECT_EQ(*data, std::string(kBlockUploadOver + 9, 'b'));
  LargeAttachment wrong = p->large[1];
  wrong.size += 1;
  auto bad = large_attachment_data(m, wrong, {});
  ASSERT_FALSE(bad);
  EXPECT_ERROR_CODE(bad, Code::CrmBadOutbox);
  EXPECT_EQ(bad.error().retry, Retry::Never);
}

TEST(Blocks, IdsHaveOneLengthAndBlocksStayUnder4MB) {
  EXPECT_LT(kBlockBytes, 4'000'000u);
  EXPECT_EQ(block_id(0).size(), block_id(999'999).size());
  EXPECT_NE(block_id(1), block_id(2));
  EXPECT_TRUE(base64_decode(block_id(12)));
  EXPECT_EQ(block_count(0), 1u);
  EXPECT_EQ(block_count(kBlockBytes), 1u);
  EXPECT_EQ(block_count(kBlockBytes + 1), 2u);
  EXPECT_EQ(block_count(9u * 1024 * 1024), 3u);
}

TEST(Blocks, UploadBodiesSliceTheDataAndCommitListsEveryBlock) {
  std::string data(kBlockBytes, 'x');
  data += "tail";
  auto first = nlohmann::json::parse(upload_block_body("tok\"en", 0, data));
  EXPECT_EQ(first["FileContinuationToken"], "tok\"en");
  EXPECT_EQ(first["BlockId"], block_id(0));
  EXPECT_EQ(base64_decode(first["BlockData"].get<std::string>())->size(), kBlockBytes);
  auto last = nlohmann::json::parse(upload_block_body("t", 1, data));
  EXPECT_EQ(*base64_decode(last["BlockData"].get<std::string>()), "tail");

  LargeAttachment a{1, "plan.pdf", "application/pdf", "", kBlockBytes + 4};
  auto target = block_target(a, "e1", false);
  EXPECT_EQ(target["objectid_activitypointer@odata.bind"], "/activitypointers(e1)");
  EXPECT_EQ(target["@odata.type"], "Microsoft.Dynamics.CRM.activitymimeattachment");
  EXPECT_FALSE(target.contains("attachmentcontentid"));
  EXPECT_EQ(block_target(a, "e1", true)["objectid_email@odata.bind"], "/emails(e1)");
  EXPECT_EQ(nlohmann::json::parse(init_blocks_body(target))["Target"], target);
  auto commit = nlohmann::json::parse(commit_blocks_body("t", 2, target));
  EXPECT_EQ(commit["BlockList"], (nlohmann::json{block_id(0), block_id(1)}));
  EXPECT_EQ(commit["Target"]["filename"], "plan.pdf");

  EXPECT_EQ(*parse_continuation_token(answer(R"({"FileContinuationToken":"abc"})"), "init"), "abc");
  auto none = parse_continuation_token(answer("{}"), "init");
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().retry, Retry::Later);
}

TEST(Resume, DuplicateCheckReadsTheState) {
  EXPECT_EQ(duplicate_query("<a'b@x>"),
            "emails?$select=activityid,statecode&$filter=messageid%20eq%20%27%3Ca%27%27b%40x%3E%27&$top=1");
  auto open = parse_found_email(answer(R"({"value":[{"activityid":"e1","statecode":0}]})"), "check");
  ASSERT_TRUE(open && *open);
  EXPECT_EQ((*open)->activity_id, "e1");
  EXPECT_EQ((*open)->statecode, kStateOpen);
  auto none = parse_found_email(answer(R"({"value":[]})"), "check");
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none);
  EXPECT_FALSE(parse_found_email(answer(R"({"value":[{"statecode":1}]})"), "check"));
  EXPECT_EQ(large_attachments_query("e1", 4194304),
            "activitymimeattachments?$select=filename,filesize&$filter="
            "_objectid_value%20eq%20e1%20and%20filesize%20gt%204194304");
}

TEST(Resume, OnlyTheLargeAttachmentsNotThereYetAreSentCountingEqualOnes) {
  EmailPlan p;
  p.large = {LargeAttachment{1, "scan.pdf", "", "", 5000000}, LargeAttachment{2, "scan.pdf", "", "", 5000000},
             LargeAttachment{3, "model.step", "", "", 6000000}, LargeAttachment{4, "scan.pdf", "", "", 7000000}};
  auto none_there = missing_large(p, answer(R"({"value":[]})"), "list");
  ASSERT_TRUE(none_there);
  EXPECT_EQ(*none_there, (std::vector<std::size_t>{0, 1, 2, 3}));
  // One scan.pdf of 5000000 and the model are there: the second equal scan and the 7 MB one are not.
  auto some = missing_large(
      p, answer(R"({"value":[{"filename":"scan.pdf","filesize":5000000},{"filename":"model.step","filesize":6000000}]})"),
      "list");
  ASSERT_TRUE(some);
  EXPECT_EQ(*some, (std::vector<std::size_t>{1, 3}));
  auto bad = missing_large(p, answer(R"({"value":[{"filename":"scan.pdf"}]})"), "list");
  ASSERT_FALSE(bad);
  EXPECT_ERROR_CODE(bad, Code::CrmBadResponse);
}

}  // namespace
}  // namespace crmr::dataverse
