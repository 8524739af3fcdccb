// JSON report writer and reader. The format is stable and documented in
// crm-router.1; keys always appear, in this order:
//
//   {"run": {"command", "dry_run", "started", "finished", "elapsed_s",
//            "messages", "messages_per_s", "totals": {<six outcomes>: count},
//            "id" (the run's id in the history; absent for a dry run, which
//                  is not kept),
//            "crm_url" (where the CRM's records open; only when [crm] url is set),
//            "mailboxes": [{"name", "status", "messages", "bytes",
//                           "limit_reached", "error", "skipped_by_date",
//                           "warnings": [string]}],
//            "crm" (only when the run pushed): {"messages", "requests",
//                   "requests_per_message", "counted", "counted_per_message",
//                   "throttled"}},
//    "messages": [{"source", "position", "message_id", "key", "date", "from",
//                  "forwarded_by", "subject", "outcome", "reason", "correlation",
//                  "regarding": {"entity", "id"} | null,
//                  "correlated_activity_id",
//                  "accepted_by": [{"entity", "id", "name", "via"}],
//                  "parties": [{"role", "address", "entity", "id", "name",
//                               "create" (only when push creates the sender's record)}],
//                  "attachments": [{"filename", "bytes", "kept", "why"}],
//                  "warnings": [string], "error", "activity_id",
//                  "queues": [{"queue_id", "queue", "item_id"}],
//                  "steps": [{"rule", "fired", "detail"}]}]}
//
// except that a streamed report (ReportWriter, and so every report file)
// writes "messages" first and "run" last, because the totals are known only
// at the end:
//
//   {"messages": [
//     {...},
//     {...}
//    ],
//    "run": {...}}
//
// Readers must not depend on the order of the two top-level keys; read_json
// reads both.
//
// "mailboxes" is written only for a run that read mailboxes (`run`), one per
// mailbox in the order read; "status" is ok, failed or skipped. read_json
// takes a "run" without it (import, push, older reports) as no mailboxes,
// and a mailbox without "skipped_by_date"/"warnings" (older reports) as 0/none.
//
// Null rules: "date", "forwarded_by", "correlated_activity_id", "error" (of
// a message or a mailbox), "activity_id" and a party's "entity"/"id" are null when empty (unknown, not
// unwrapped from a forward, no error, not pushed, unresolved); "regarding" is
// null when there is none. Every other string is a string, possibly "".
// Readers take an entry without "forwarded_by" (written before it existed:
// older reports, decisions stored in the database) as not unwrapped, and
// one without "correlated_activity_id", "accepted_by" or "queues" as having
// none.
// Strings that are not valid UTF-8 are written with U+FFFD replacements, so
// the output is always valid UTF-8 JSON. One message per line, so the file
// can be grepped. Entries are written by report_json_write.cc; the "run"
// object (once per report, with floating-point numbers) by nlohmann::json.
//
// nlohmann::json exceptions are caught here, in read_json and
// entry_from_json, and nowhere else.
#include <nlohmann/json.hpp>
#include <ostream>

#include "core/report/report.h"
#include "core/report/report_internal.h"

namespace crmr {
namespace {

using OJson = nlohmann::ordered_json;
using Json = nlohmann::json;

OJson run_json(const RunHeader& r) {
  // Outcome keys in the documented order first, then any unknown outcome.
  const auto counts = report_detail::with_all_outcomes(r.totals);
  OJson ordered = OJson::object();
  for (const char* o : report_detail::kOutcomes) ordered[o] = counts.at(o);
  for (const auto& [outcome, count] : counts)
    if (!ordered.contains(outcome)) ordered[outcome] = count;
  OJson run{{"command", r.command},
            {"dry_run", r.dry_run},
            {"started", r.started},
            {"finished", r.finished},
            {"elapsed_s", r.elapsed_s},
            {"messages", r.messages},
            {"messages_per_s", r.messages_per_s()},
            {"totals", ordered}};
  if (r.id > 0) run["id"] = r.id;
  if (!r.crm_url.empty()) run["crm_url"] = r.crm_url;
  if (!r.mailboxes.empty()) {
    OJson list = OJson::array();
    for (const auto& m : r.mailboxes)
      list.push_back(OJson{{"name", m.name},
                           {"status", m.status},
                           {"messages", m.messages},
                           {"bytes", m.bytes},
                           {"limit_reached", m.limit_reached},
                           {"error", m.error.empty() ? OJson(nullptr) : OJson(m.error)},
                           {"skipped_by_date", m.skipped_by_date},
                           {"warnings", m.warnings}});
    run["mailboxes"] = std::move(list);
  }
  if (r.crm.messages > 0)
    run["crm"] = OJson{{"messages", r.crm.messages},
                       {"requests", r.crm.requests},
                       {"requests_per_message", r.crm.requests_per_message()},
                       {"counted", r.crm.counted},
                       {"counted_per_message", r.crm.counted_per_message()},
                       {"throttled", r.crm.throttled}};
  return run;
}

std::string dump(const OJson& j) {
  return j.dump(-1, ' ', false, OJson::error_handler_t::replace);
}

// Reading: strict about presence and types (a missing key throws), lenient
// only in accepting null wherever the writer may write null.
std::string opt_str(const Json& j, const char* key) {
  const Json& v = j.at(key);
  return v.is_null() ? std::string() : v.get<std::string>();
}

ReportEntry entry_from(const Json& j) {
  ReportEntry e;
  e.source = j.at("source").get<std::string>();
  e.position = j.at("position").get<std::string>();
  e.message_id = j.at("message_id").get<std::string>();
  e.key = j.at("key").get<std::string>();
  e.date = opt_str(j, "date");
  e.from = j.at("from").get<std::string>();
  if (j.contains("forwarded_by")) e.forwarded_by = opt_str(j, "forwarded_by");
  e.subject = j.at("subject").get<std::string>();
  e.outcome = j.at("outcome").get<std::string>();
  e.reason = j.at("reason").get<std::string>();
  e.correlation = j.at("correlation").get<std::string>();
  if (const Json& r = j.at("regarding"); !r.is_null())
    e.regarding = Regarding{r.at("entity").get<std::string>(), r.at("id").get<std::string>()};
  if (j.contains("correlated_activity_id")) e.correlated_activity_id = opt_str(j, "correlated_activity_id");
  if (j.contains("accepted_by"))
    for (const Json& a : j.at("accepted_by"))
      e.accepted_by.push_back(Acceptor{a.at("entity").get<std::string>(), a.at("id").get<std::string>(),
                                       a.at("name").get<std::string>(), a.at("via").get<std::string>()});
  for (const Json& p : j.at("parties"))
    e.parties.push_back(Party{p.at("role").get<std::string>(), p.at("address").get<std::string>(),
                              opt_str(p, "entity"), opt_str(p, "id"),
                              p.contains("name") ? opt_str(p, "name") : std::string(),
                              p.contains("create") ? opt_str(p, "create") : std::string()});
  for (const Json& a : j.at("attachments"))
    e.attachments.push_back(AttachmentVerdict{a.at("filename").get<std::string>(),
                                              a.at("bytes").get<std::uint64_t>(),
                                              a.at("kept").get<bool>(), opt_str(a, "why")});
  e.warnings = j.at("warnings").get<std::vector<std::string>>();
  e.error = opt_str(j, "error");
  e.activity_id = opt_str(j, "activity_id");
  if (j.contains("queues"))
    for (const Json& q : j.at("queues"))
      e.queues.push_back(QueueItemRef{q.at("queue_id").get<std::string>(), q.at("queue").get<std::string>(),
                                      q.at("item_id").get<std::string>()});
  for (const Json& s : j.at("steps"))
    e.steps.push_back(
        Step{s.at("rule").get<std::string>(), s.at("fired").get<bool>(), opt_str(s, "detail")});
  return e;
}

// The streamed order: entries as they come, the run at the end.
class JsonStream final : public report_detail::FormatStream {
 public:
  explicit JsonStream(std::ostream& out) : out_(out) { out_ << "{\"messages\": ["; }

  void add(const ReportEntry& e) override {
    line_.assign(any_ ? ",\n  " : "\n  ");
    report_detail::append_entry_json(line_, e, /*html_safe=*/false);
    out_.write(line_.data(), static_cast<std::streamsize>(line_.size()));
    any_ = true;
  }

  void finish(const RunHeader& run) override {
    out_ << (any_ ? "\n ],\n" : "],\n") << " \"run\": " << dump(run_json(run)) << "}\n";
  }

 private:
  std::ostream& out_;
  std::string line_;  // reused for every entry
  bool any_ = false;
};

constexpr const char* kReportHint = "pass a file written by crm-router --report *.json";

}  // namespace

namespace report_detail {
std::unique_ptr<FormatStream> make_json_stream(std::ostream& out) {
  return std::make_unique<JsonStream>(out);
}
}  // namespace report_detail

std::string run_to_json(const RunHeader& run) { return dump(run_json(run)); }

void write_json(const RunReport& r, std::ostream& out) {
  out << "{\"run\": " << dump(run_json(r.header())) << ",\n \"messages\": [";
  std::string line;
  for (std::size_t i = 0; i < r.messages.size(); ++i) {
    line.assign(i == 0 ? "\n  " : ",\n  ");
    report_detail::append_entry_json(line, r.messages[i], /*html_safe=*/false);
    out.write(line.data(), static_cast<std::streamsize>(line.size()));
  }
  out << (r.messages.empty() ? "]}\n" : "\n ]}\n");
}

Result<ReportEntry> entry_from_json(const std::string& json) {
  Json doc = Json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded())
    return fail(Code::ReportBadJson, "report entry is not valid JSON", Scope::Message,
                Retry::Never, "pass one element of \"messages\" of a crm-router JSON report");
  try {
    return entry_from(doc);
  } catch (const Json::exception& e) {
    return fail(Code::ReportBadJson, std::string("report entry JSON does not have the entry shape: ") +
                                       e.what(),
                Scope::Message, Retry::Never,
                "pass one element of \"messages\" of a crm-router JSON report");
  }
}

Result<RunReport> read_json(const std::string& json) {
  Json doc = Json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded())
    return fail(Code::ReportBadJson, "report is not valid JSON", kReportHint);
  RunReport r;
  std::string where = "run";
  try {
    const Json& run = doc.at("run");
    r.command = run.at("command").get<std::string>();
    r.dry_run = run.at("dry_run").get<bool>();
    r.started = run.at("started").get<std::string>();
    r.finished = run.at("finished").get<std::string>();
    r.elapsed_s = run.at("elapsed_s").get<double>();
    // Written since run ids and CRM links are in the report; absent in older ones.
    if (run.contains("id")) r.id = run.at("id").get<std::int64_t>();
    if (run.contains("crm_url")) r.crm_url = run.at("crm_url").get<std::string>();
    if (run.contains("crm")) {
      const Json& c = run.at("crm");
      r.crm.messages = c.at("messages").get<std::uint64_t>();
      r.crm.requests = c.at("requests").get<std::uint64_t>();
      r.crm.counted = c.at("counted").get<std::uint64_t>();
      r.crm.throttled = c.at("throttled").get<std::uint64_t>();
    }
    if (run.contains("mailboxes")) {
      for (const Json& m : run.at("mailboxes")) {
        MailboxStatus box;
        box.name = m.at("name").get<std::string>();
        box.status = m.at("status").get<std::string>();
        box.error = opt_str(m, "error");
        box.messages = m.at("messages").get<std::uint64_t>();
        box.bytes = m.at("bytes").get<std::uint64_t>();
        box.limit_reached = m.at("limit_reached").get<bool>();
        if (m.contains("skipped_by_date"))
          box.skipped_by_date = m.at("skipped_by_date").get<std::uint64_t>();
        if (m.contains("warnings")) box.warnings = m.at("warnings").get<std::vector<std::string>>();
        r.mailboxes.push_back(std::move(box));
      }
    }
    const Json& messages = doc.at("messages");
    if (!messages.is_array())
      return fail(Code::ReportBadJson, "report JSON: \"messages\" is not an array", kReportHint);
    r.messages.reserve(messages.size());
    for (std::size_t i = 0; i < messages.size(); ++i) {
      where = "messages[" + std::to_string(i) + "]";
      r.messages.push_back(entry_from(messages[i]));
    }
  } catch (const Json::exception& e) {
    return fail(Code::ReportBadJson, "report JSON does not have the report shape at " + where +
                                       ": " + e.what(),
                kReportHint);
  }
  return r;
}

}  // namespace crmr
