// The duplicate check of many queued messages at once. Before push creates an
// e-mail it asks whether the CRM already has one with the message's
// messageid (a crash after the create and before the outbox's "done" mark
// must not make a second one). One GET per message doubled the requests of a
// push; here one GET answers for up to kLookupMessages messages:
//
//   emails?$select=activityid,statecode,messageid,directioncode&$filter=
//     Microsoft.Dynamics.CRM.In(PropertyName='messageid',PropertyValues=['<a@x>','<b@y>'])
//   (LookupSyntax::Or: messageid eq '<a@x>' or messageid eq '<b@y>')
//
// within kLookupUrlLimit characters of URL (base included). The rows are
// matched to the messages by messageid without case, as Dataverse compares
// it; a message beside its sender's sent copy takes a received row only
// (directioncode false), as its single check asks for.
//
// DuplicateLookahead runs these lookups ahead of the push (dataverse_push.cc):
// the messages of a push_all are looked up in chunks, a window ahead of the
// ones being delivered, at most kLookupsInFlight at a time. What it cannot
// answer for sure goes back to the single check of that message (Single):
// a failed lookup (and, after a permanent failure such as a 400 for syntax
// the CRM does not know, every later message of the run), a message whose
// messageid another message of the window shares (the first one's create
// must be seen by the second's check), an answer cut by paging, an outbox
// item whose key cannot be read (its plan fails and says why).
//
// Exactly-once is the single check's: a lookup is sent after the outbox
// item was read and before its create, and the CRM's duplicate constraint on
// messageid stops a create that a stale answer would let through (the push
// then checks that message again, singly).
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/crm/dataverse_blocks.h"
#include "core/crm/dataverse_session.h"

namespace crmr::dataverse {

inline constexpr std::size_t kLookupMessages = 50;   // messages per lookup at most
inline constexpr std::size_t kLookupUrlLimit = 2000;  // characters of URL, base included
inline constexpr std::size_t kLookupsInFlight = 2;

// One query for the messageids `ids` (as stored, "<id>"), relative to the API base.
std::string duplicate_lookup_query(const std::vector<std::string>& ids, LookupSyntax syntax);

// How many of `ids`, from `first`, go into one query whose full URL (with a
// base of `base_length` characters) stays within `url_limit`; at least one
// (a single long messageid is asked for alone, as its single check would).
std::size_t lookup_chunk(const std::vector<std::string>& ids, std::size_t first, LookupSyntax syntax,
                         std::size_t base_length, std::size_t url_limit = kLookupUrlLimit,
                         std::size_t max_messages = kLookupMessages);

// The rows of a lookup's answer, by messageid in lower case.
struct LookupAnswer {
  struct Row {
    FoundEmail email;
    std::optional<bool> directioncode;  // true sent, false received; nullopt: not answered
  };
  std::map<std::string, std::vector<Row>> rows;
  bool complete = true;  // false: the answer has a next page (@odata.nextLink)
};
Result<LookupAnswer> parse_lookup_answer(const HttpResponse& resp, const std::string& what);

// The e-mail the answer holds for `message_id` (a received one when
// `received_only`), or nullopt.
std::optional<FoundEmail> found_in(const LookupAnswer& a, std::string_view message_id, bool received_only);

class DuplicateLookahead {
 public:
  // What the lookahead knows of one message.
  struct Answer {
    bool single = false;              // check it alone (see above)
    std::optional<FoundEmail> found;  // when !single: the e-mail, or nullopt when there is none
  };

  // `on_answer` is called (on the Session's thread) after each lookup's answer.
  DuplicateLookahead(Session& s, const std::vector<PushMessage>& msgs, std::function<void()> on_answer);

  // Send the lookups that keep the messages from `next` (the first not
  // started) to `next + window` covered, and one chunk beyond.
  void advance(std::size_t next, std::size_t window);
  // Message `i`'s answer, or nullopt while its lookup is not answered.
  std::optional<Answer> answer(std::size_t i) const;
  // Lookup requests sent (every attempt is counted by the Session).
  std::size_t lookups() const { return lookups_; }

 private:
  enum class State { Ahead, Asked, Known, Single };
  struct Item {
    State state = State::Ahead;
    std::string message_id;
    bool received_only = false;
    std::optional<FoundEmail> found;
  };
  void send(std::size_t first, std::size_t count);

  Session& s_;
  const std::vector<PushMessage>& msgs_;
  std::function<void()> on_answer_;
  std::vector<Item> items_;
  std::size_t ahead_ = 0;  // the first message not yet looked up
  std::size_t in_flight_ = 0;
  std::size_t lookups_ = 0;
  bool off_ = false;  // the syntax was refused: single checks for the rest
};

// The activity id in the answer to a duplicate query (value[0].activityid), or nullopt.
Result<std::optional<std::string>> parse_found_id(const HttpResponse& resp, const std::string& what);

}  // namespace crmr::dataverse
