#include "core/crm/dataverse_landing.h"

#include <memory>

#include "core/base/crash_point.h"
#include "core/crm/dataverse_queue.h"

namespace crmr::dataverse {
namespace {

class Landing : public std::enable_shared_from_this<Landing> {
 public:
  Landing(Session& s, const EmailPlan& plan, PushResult pr, bool lookup, Landed done)
      : s_(s), plan_(plan), pr_(std::move(pr)), lookup_(lookup), done_(std::move(done)) {}

  void next_queue() {
    if (!s_.options().queue_items || next_ == plan_.queues.size()) return rules();
    const CrmRef& q = plan_.queues[next_];
    for (const QueueItemRef& placed : pr_.queues)
      if (placed.queue_id == q.id) {
        ++next_;
        return next_queue();
      }
    if (!lookup_) return add_to_queue(q);
    HttpRequest req;
    req.url = queue_item_query(pr_.activity_id, q.id);
    req.label = "queue item lookup of " + plan_.label + " in queue " + name(q);
    const std::string label = req.label;
    s_.send(std::move(req), true, [self = shared_from_this(), label](Result<HttpResponse> r) {
      if (!r) return self->fail(r.error());
      auto found = parse_queue_item(*r, label);
      if (!found) return self->fail(found.error());
      const CrmRef& q = self->plan_.queues[self->next_];
      if (!*found) return self->add_to_queue(q);
      self->placed(q, **found);
    });
  }

 private:
  static std::string name(const CrmRef& q) { return q.name.empty() ? q.id : q.name; }

  void placed(const CrmRef& q, const std::string& item_id) {
    pr_.queues.push_back(QueueItemRef{q.id, q.name, item_id});
    ++next_;
    next_queue();
  }

  void add_to_queue(const CrmRef& q) {
    HttpRequest req;
    req.method = "POST";
    req.url = add_to_queue_url(q.id);
    req.label = "AddToQueue of " + plan_.label + " into queue " + name(q);
    req.body = email_target_body(pr_.activity_id);
    req.fresh_connection = true;  // repeated by libcurl, it could make a second queue item
    const std::string label = req.label;
    crash_point("push_queue_before");
    // Not idempotent: a lost answer goes back to the duplicate check, whose
    // lookup finds the item.
    s_.send(std::move(req), false, [self = shared_from_this(), label](Result<HttpResponse> r) {
      crash_point("push_queue_after");
      if (!r) return self->fail(r.error());
      auto id = parse_add_to_queue(*r, label);
      if (!id) return self->fail(id.error());
      self->placed(self->plan_.queues[self->next_], *id);
    });
  }

  void fail(Error e) {
    if (e.retry == Retry::Never && e.scope != Scope::Run)
      e.message += "; the e-mail " + pr_.activity_id + " is in the CRM but not in queue " +
                   name(plan_.queues[next_]) + " until a push of this message puts it there";
    done_(std::unexpected(std::move(e)));
  }

  void rules() {
    if (!s_.options().apply_record_rules) return done_(std::move(pr_));
    if (!lookup_) return apply_rules();
    HttpRequest req;
    req.url = regarding_query(pr_.activity_id);
    req.label = "regarding of " + plan_.label;
    const std::string label = req.label;
    s_.send(std::move(req), true, [self = shared_from_this(), label](Result<HttpResponse> r) {
      if (!r) return self->rules_failed(r.error());
      auto regarding = parse_regarding(*r, label);
      if (!regarding) return self->rules_failed(regarding.error());
      if (!regarding->empty() && *regarding != self->plan_.regarding_id) {
        self->pr_.notes.push_back("record creation rules not applied again: the e-mail is already regarding " +
                                  *regarding);
        return self->done_(std::move(self->pr_));
      }
      self->apply_rules();
    });
  }

  void apply_rules() {
    HttpRequest req;
    req.method = "POST";
    req.url = kApplyRulesUrl;
    req.label = "ApplyRecordCreationAndUpdateRule of " + plan_.label;
    req.body = email_target_body(pr_.activity_id);
    req.fresh_connection = true;  // repeated by libcurl, the rules would run twice
    crash_point("push_rules_before");
    s_.send(std::move(req), false, [self = shared_from_this()](Result<HttpResponse> r) {
      crash_point("push_rules_after");
      if (!r) return self->rules_failed(r.error());
      self->pr_.notes.push_back("record creation rules applied");
      self->done_(std::move(self->pr_));
    });
  }

  // The e-mail stays, whatever the rules did: a note, not a failure.
  void rules_failed(const Error& e) {
    if (e.scope == Scope::Run) return done_(std::unexpected(e));
    pr_.notes.push_back("record creation rules failed (the e-mail is in the CRM): " + e.describe());
    done_(std::move(pr_));
  }

  Session& s_;
  const EmailPlan& plan_;
  PushResult pr_;
  bool lookup_;
  Landed done_;
  std::size_t next_ = 0;
};

}  // namespace

void land_email(Session& s, const EmailPlan& plan, PushResult pr, bool lookup, Landed done) {
  std::make_shared<Landing>(s, plan, std::move(pr), lookup, std::move(done))->next_queue();
}

}  // namespace crmr::dataverse
