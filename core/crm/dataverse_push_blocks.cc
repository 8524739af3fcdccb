// PushRun, block upload: the large attachments of an open e-mail, each by
// InitializeAttachmentBlocksUpload, UploadBlock per block and
// CommitAttachmentBlocksUpload, then the PATCH that completes the e-mail; an
// open e-mail found by the duplicate check is resumed with what is missing.
#include "core/base/crash_point.h"
#include "core/crm/dataverse_blocks.h"
#include "core/crm/dataverse_push_run.h"

namespace crmr::dataverse {

void PushRun::block_failure(const JobPtr& job, Error e) {
  job->up = {};
  if (e.scope == Scope::Run) return finish(job, std::unexpected(std::move(e)));
  if (e.retry == Retry::Never) {
    e.message += "; the e-mail " + job->activity_id +
                 " stays open (not completed) in the CRM until a push uploads the rest";
    return finish(job, std::unexpected(std::move(e)));
  }
  retry(job, std::move(e));
}

void PushRun::resume(const JobPtr& job) {
  HttpRequest req;
  req.url = large_attachments_query(job->activity_id, kBlockUploadOver);
  req.label = "attachment list of " + job->plan.label;
  s_.send(std::move(req), true, [this, job](Result<HttpResponse> r) {
    if (!r) return block_failure(job, r.error());
    auto missing = missing_large(job->plan, *r, "attachment list of " + job->plan.label);
    if (!missing) return block_failure(job, missing.error());
    const std::size_t there = job->plan.large.size() - missing->size();
    if (!job->resumed)  // once: a retry within this run resumes again
      job->notes.push_back("resumed the open e-mail " + job->activity_id + ": " + std::to_string(there) +
                           " of " + std::to_string(job->plan.large.size()) +
                           " large attachment(s) were already in the CRM");
    job->resumed = true;
    job->todo = std::move(*missing);
    next_large(job);
  });
}

void PushRun::next_large(const JobPtr& job) {
  if (job->todo.empty()) return complete(job);
  const LargeAttachment& a = job->plan.large[job->todo.front()];
  auto data = large_attachment_data(*job->m, a, s_.options().limits);
  if (!data) return block_failure(job, data.error());
  job->up = BlockUpload{std::move(*data), block_target(a, job->activity_id, s_.options().bind_email), "",
                        block_count(a.size), 0};
  const std::string label = "InitializeAttachmentBlocksUpload of " + a.filename + " of " + job->plan.label;
  HttpRequest req;
  req.method = "POST";
  req.url = "InitializeAttachmentBlocksUpload";
  req.label = label;
  req.body = init_blocks_body(job->up.target);
  // Idempotent: a repeated start only leaves an unused upload behind.
  s_.send(std::move(req), true, [this, job, label](Result<HttpResponse> r) {
    if (!r) return block_failure(job, r.error());
    auto token = parse_continuation_token(*r, label);
    if (!token) return block_failure(job, token.error());
    job->up.token = std::move(*token);
    upload_block(job);
  });
}

void PushRun::upload_block(const JobPtr& job) {
  if (job->up.next == job->up.blocks) return commit(job);
  const LargeAttachment& a = job->plan.large[job->todo.front()];
  HttpRequest req;
  req.method = "POST";
  req.url = "UploadBlock";
  req.label = "UploadBlock " + std::to_string(job->up.next + 1) + "/" + std::to_string(job->up.blocks) +
              " of " + a.filename + " of " + job->plan.label;
  req.body = upload_block_body(job->up.token, job->up.next, job->up.data);
  // Idempotent: the same block id again replaces the block.
  s_.send(std::move(req), true, [this, job](Result<HttpResponse> r) {
    if (!r) return block_failure(job, r.error());
    ++job->up.next;
    upload_block(job);
  });
}

void PushRun::commit(const JobPtr& job) {
  const LargeAttachment& a = job->plan.large[job->todo.front()];
  HttpRequest req;
  req.method = "POST";
  req.url = "CommitAttachmentBlocksUpload";
  req.label = "CommitAttachmentBlocksUpload of " + a.filename + " of " + job->plan.label;
  req.body = commit_blocks_body(job->up.token, job->up.blocks, job->up.target);
  req.fresh_connection = true;  // a second commit would attach the file twice
  job->up.data = {};  // every block is sent: the bytes are not needed any more
  crash_point("push_block_before");
  // Not idempotent (it creates the attachment): a lost answer goes back to check.
  s_.send(std::move(req), false, [this, job](Result<HttpResponse> r) {
    crash_point("push_block_after");
    if (!r) return block_failure(job, r.error());
    const LargeAttachment& done = job->plan.large[job->todo.front()];
    job->notes.push_back(done.filename + " (" + std::to_string(done.size) + " bytes) sent by block upload in " +
                         std::to_string(job->up.blocks) + " block(s)");
    job->up = {};
    job->todo.erase(job->todo.begin());
    next_large(job);
  });
}

void PushRun::complete(const JobPtr& job) {
  HttpRequest req;
  req.method = "PATCH";
  req.url = "emails(" + job->activity_id + ")";
  req.label = "completing " + job->plan.label;
  req.body = completed_state_body();
  s_.send(std::move(req), true, [this, job](Result<HttpResponse> r) {
    if (!r) return block_failure(job, r.error());
    PushResult pr;
    pr.activity_id = job->activity_id;
    land(job, std::move(pr), job->resumed);
  });
}

}  // namespace crmr::dataverse
