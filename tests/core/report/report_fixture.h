// A small RunReport covering every field shape, for the report tests:
// a queued message (unwrapped from a forward) with a regarding record and
// mixed parties, a failed
// message with an error, activity id and queue item, and a hostile one (script-closing
// subject, formula prefix, invalid UTF-8, CSV metacharacters).
#pragma once

#include <string>

#include "core/report/report.h"

namespace crmr::test {

inline ReportEntry queued_entry() {
  ReportEntry e;
  e.source = "archive/inbox.mbox";
  e.position = "1";
  e.message_id = "abc@example.com";
  e.key = "mid:abc@example.com";
  e.date = "2026-05-01T10:00:00Z";
  e.from = "jane.doe@contoso.com";
  e.forwarded_by = "adele.vance@fabrikam.com";
  e.subject = "Re: Angebot Nr. 4711 – Rückfrage";
  e.outcome = "queued";
  e.reason = "CorrelationMatch";
  e.correlation = "in_reply_to";
  e.regarding = Regarding{"opportunity", "3f2504e0-4f89-11d3-9a0c-0305e82c3301"};
  e.correlated_activity_id = "a-9";
  e.accepted_by = {Acceptor{"queue", "q-1", "Sales", "To sales@fabrikam.com"}};
  e.parties = {Party{"from", "Jane.Doe@contoso.com", "contact", "c-1", "Jane Doe", ""},
               Party{"to", "sales@fabrikam.com", "queue", "q-1", "", ""},
               Party{"cc", "someone@elsewhere.org", "", "", "", ""}};
  e.attachments = {AttachmentVerdict{"offer.pdf", 123456, true, ""},
                   AttachmentVerdict{"setup.exe", 900, false, "blocked extension .exe"}};
  e.warnings = {"bad charset x-unknown, read as windows-1252"};
  e.steps = {Step{"duplicate.ledger", false, "key not seen before"},
             Step{"correlation.in_reply_to", true, "In-Reply-To matches activity a-9"}};
  return e;
}

inline ReportEntry failed_entry() {
  ReportEntry e;
  e.source = "archive/inbox.mbox";
  e.position = "2";
  e.message_id = "def@example.com";
  e.key = "mid:def@example.com";
  e.from = "bob@fabrikam.com";
  e.subject = "Invoice";
  e.outcome = "failed";
  e.reason = "PushFailed";
  e.correlation = "none";
  e.error = "HTTP 503 from Dataverse after 3 tries";
  e.activity_id = "a-42";
  e.queues = {QueueItemRef{"q-1", "Sales", "qi-7"}};
  return e;
}

inline ReportEntry hostile_entry() {
  ReportEntry e;
  e.source = "archive/inbox.mbox";
  e.position = "3";
  e.message_id = "evil@example.com";
  e.key = "mid:evil@example.com";
  e.from = "=cmd|' /C calc'!A0@evil.test";
  e.subject = "</script><script>alert(1)</script><!--<script> \"q\", line\nnext \xff\xfe end";
  e.outcome = "tossed";
  e.reason = "NoCorrelationMatch";
  e.correlation = "none";
  return e;
}

inline RunReport sample_report() {
  RunReport r;
  r.command = "import";
  r.dry_run = true;
  r.started = "2026-05-01T10:00:00Z";
  r.finished = "2026-05-01T10:00:02Z";
  r.elapsed_s = 1.5;
  r.messages = {queued_entry(), failed_entry(), hostile_entry()};
  return r;
}

}  // namespace crmr::test
