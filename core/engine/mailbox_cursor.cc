#include "core/engine/mailbox_cursor.h"

#include <sstream>

namespace crmr {
namespace {

// "cursor/<mailbox>/<folder>" -> "uidvalidity=N last_uid=N [last_date=N]"
std::string key_of(const std::string& mailbox, const std::string& folder) {
  return "cursor/" + mailbox + "/" + folder;
}

}  // namespace

Result<std::optional<FolderCursor>> load_cursor(const StateStore& store,
                                                const std::string& mailbox,
                                                const std::string& folder) {
  auto v = store.state_get(key_of(mailbox, folder));
  if (!v) return std::unexpected(v.error());
  if (!*v) return std::optional<FolderCursor>();
  FolderCursor c;
  std::istringstream in(**v);
  std::string field;
  while (in >> field) {
    auto eq = field.find('=');
    if (eq == std::string::npos) continue;
    std::string name = field.substr(0, eq);
    long long n = std::strtoll(field.c_str() + eq + 1, nullptr, 10);
    if (name == "uidvalidity") c.uidvalidity = static_cast<std::uint32_t>(n);
    else if (name == "last_uid") c.last_uid = static_cast<std::uint32_t>(n);
    else if (name == "last_date") c.last_date = n;
  }
  return std::optional<FolderCursor>(c);
}

Status save_cursor(StateStore& store, const std::string& mailbox, const std::string& folder,
                   const FolderCursor& c) {
  std::string v = "uidvalidity=" + std::to_string(c.uidvalidity) +
                  " last_uid=" + std::to_string(c.last_uid);
  if (c.last_date) v += " last_date=" + std::to_string(*c.last_date);
  return store.state_set(key_of(mailbox, folder), v);
}

Result<FetchStart> plan_start(const MailboxSettings& m, const std::optional<FolderCursor>& cursor,
                              const FolderState& now, const MailboxCapabilities& caps) {
  FetchStart s;
  s.since = m.all ? std::nullopt : m.since;
  if (!cursor) {
    s.first_run = true;
    if (!m.since && !m.all) {
      return fail(Code::ConfigFirstRun,
                  "mailbox " + m.name + ": the first run needs a start: since = YYYY-MM-DD, or "
                  "all = true to take every message",
                  "add one of them to its [[mailbox]] entry");
    }
    return s;
  }
  if (!caps.persistent_uids || cursor->uidvalidity == now.uidvalidity) {
    s.after_uid = cursor->last_uid;
    return s;
  }
  s.uidvalidity_changed = true;
  if (cursor->last_date) {
    std::int64_t floor = *cursor->last_date - 86400;
    if (!s.since || floor > *s.since) s.since = floor;
  }
  return s;
}

}  // namespace crmr
