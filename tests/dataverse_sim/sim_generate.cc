// The generated data set (--generate-contacts N, --generate-emails N
// --generate-days D): records made from their number when a request reads
// them, never stored, so the simulator serves millions of them in a few
// megabytes and starts at once.
//   contact i  contactid 00000000-0000-4000-a000-<i, 12 hex digits>, "Contact i",
//              contact<i>@customer<i % 5000>.example.com (every 10th also
//              c<i>@home.example.net), active
//   e-mail i   activityid 00000000-0000-4000-8000-<i, 12 hex digits>, sent, message
//              id <gen-i@crm.contoso.example>, token CRM:0<1000000 + i>, subject
//              "Order i shipping update", To customer<i>@example.org (also as
//              `torecipients`), Cc team<i % 1000>@example.org, regarding contact
//              i % N when contacts are generated; modifiedon spread evenly over
//              the last D days, e-mail 0 the newest
// Generated rows follow the stored ones (rowids from kGeneratedRowid on), have
// version 0 (a delta read never returns them: they do not change) and are
// read-only: collection reads ($filter, $select, $expand of the parties,
// paging), reads by id, and the parties of a generated e-mail. A $filter is
// evaluated by SQLite itself on a temporary table holding one block of
// generated rows at a time, with the stored table's columns.
#include <algorithm>
#include <cstdio>
#include <ctime>
#include <memory>
#include <tuple>

#include <sqlite3.h>

#include "sim_store.h"

namespace crmr::sim {
namespace {

constexpr std::int64_t kGeneratedRowid = std::int64_t{1} << 40;
constexpr std::int64_t kBlock = 1000;  // generated rows per probe of a $filter

constexpr char kContactPrefix[] = "00000000-0000-4000-a000-";
constexpr char kEmailPrefix[] = "00000000-0000-4000-8000-";

std::string iso_at(std::int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char out[32];
  std::strftime(out, sizeof out, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return out;
}

std::string numbered_id(const char* prefix, std::int64_t i) {
  char id[48];
  std::snprintf(id, sizeof id, "%s%012llx", prefix, static_cast<unsigned long long>(i));
  return id;
}

// The number in a generated id with `prefix`, or -1.
std::int64_t number_of(const char* prefix, const std::string& id) {
  const std::string low = lower(id);
  const std::size_t n = std::char_traits<char>::length(prefix);
  if (low.size() != n + 12 || low.compare(0, n, prefix) != 0) return -1;
  std::int64_t v = 0;
  for (std::size_t k = n; k < low.size(); ++k) {
    const char c = low[k];
    if (c >= '0' && c <= '9') v = v * 16 + (c - '0');
    else if (c >= 'a' && c <= 'f') v = v * 16 + (c - 'a' + 10);
    else return -1;
  }
  return v;
}

bool is_table(const EntityInfo& e, const char* table) { return std::string(e.table) == table; }

}  // namespace

struct SimStore::Generated {
  std::int64_t contacts = 0;
  std::int64_t emails = 0;
  std::int64_t now = 0;
  std::int64_t span = 0;       // seconds the e-mails' modifiedon spread over
  std::int64_t parties_block = -1;  // the block whose parties temp.gen_parties holds

  std::int64_t count(const EntityInfo& e) const {
    if (is_table(e, "contacts")) return contacts;
    if (is_table(e, "emails")) return emails;
    return 0;
  }

  std::int64_t index_of(const EntityInfo& e, const std::string& id) const {
    const std::int64_t i = number_of(is_table(e, "contacts") ? kContactPrefix : kEmailPrefix, id);
    return i >= 0 && i < count(e) ? i : -1;
  }

  std::string modified(const EntityInfo& e, std::int64_t i) const {
    const std::int64_t n = count(e);
    if (!is_table(e, "emails")) return iso_at(now - 86400);
    return iso_at(now - (n > 1 ? span * i / (n - 1) : 0));
  }

  json row(const EntityInfo& e, std::int64_t i) const {
    const std::string n = std::to_string(i);
    const std::string modified_on = modified(e, i);
    if (is_table(e, "contacts")) {
      json c{{"contactid", numbered_id(kContactPrefix, i)},
             {"fullname", "Contact " + n},
             {"emailaddress1", "contact" + n + "@customer" + std::to_string(i % 5000) + ".example.com"},
             {"statecode", 0},
             {"createdon", modified_on},
             {"modifiedon", modified_on},
             {"versionnumber", 0}};
      if (i % 10 == 0) c["emailaddress2"] = "c" + n + "@home.example.net";
      return c;
    }
    json m{{"activityid", numbered_id(kEmailPrefix, i)},
           {"messageid", "<gen-" + n + "@crm.contoso.example>"},
           {"trackingtoken", "CRM:0" + std::to_string(1000000 + i)},
           {"subject", "Order " + n + " shipping update"},
           {"directioncode", true},
           {"statecode", 1},
           {"statuscode", 3},
           {"sender", "sales@contoso.example"},
           {"torecipients", "customer" + n + "@example.org"},
           {"createdon", modified_on},
           {"modifiedon", modified_on},
           {"versionnumber", 0}};
    if (contacts > 0) {
      m["_regardingobjectid_value"] = numbered_id(kContactPrefix, i % contacts);
      m["_regardingobjectid_value@Microsoft.Dynamics.CRM.lookuplogicalname"] = "contact";
    }
    return m;
  }

  // (activitypartyid, participationtypemask, addressused) of e-mail i's parties.
  std::vector<std::tuple<std::string, int, std::string>> parties(std::int64_t i) const {
    char pid[48];
    std::vector<std::tuple<std::string, int, std::string>> out;
    const std::string to = "customer" + std::to_string(i) + "@example.org";
    const std::string cc = "team" + std::to_string(i % 1000) + "@example.org";
    int k = 0;
    for (auto [mask, address] : {std::pair{2, to}, std::pair{3, cc}}) {
      std::snprintf(pid, sizeof pid, "00000000-0000-4000-%04x-%012llx", 0x9000 + k++,
                    static_cast<unsigned long long>(i));
      out.emplace_back(pid, mask, address);
    }
    return out;
  }
};

void SimStore::generate(std::int64_t contacts, std::int64_t emails, int days) {
  if (contacts <= 0 && emails <= 0) return;
  generated_ = std::make_shared<Generated>();
  generated_->contacts = std::max<std::int64_t>(contacts, 0);
  generated_->emails = std::max<std::int64_t>(emails, 0);
  generated_->now = now_unix();
  generated_->span = static_cast<std::int64_t>(days) * 86400;
  // One block of generated rows at a time, for SQLite to apply a $filter to.
  for (const char* table : {"contacts", "emails"})
    exec(std::string("CREATE TEMP TABLE gen_") + table +
         " (rowid INTEGER PRIMARY KEY, id TEXT NOT NULL COLLATE NOCASE, data TEXT NOT NULL,"
         " modifiedon TEXT NOT NULL, version INTEGER NOT NULL" + generated_columns(table) + ")");
  exec("CREATE TEMP TABLE gen_parties (activitypartyid TEXT PRIMARY KEY, activityid TEXT NOT NULL,"
       " participationtypemask INTEGER NOT NULL, partyid TEXT, partyobjecttype TEXT,"
       " addressused TEXT)");
  exec("CREATE INDEX temp.gen_parties_activityid ON gen_parties(activityid)");
}

std::optional<json> SimStore::generated_row(const EntityInfo& e, const std::string& id) const {
  if (!generated_) return std::nullopt;
  const std::int64_t i = generated_->index_of(e, id);
  if (i < 0) return std::nullopt;
  return generated_->row(e, i);
}

void SimStore::select_generated(const EntityInfo& e, const std::string& where,
                                const std::vector<SqlValue>& binds, std::int64_t after_rowid,
                                std::int64_t limit, std::vector<StoredRow>& rows) {
  const std::int64_t n = generated_ ? generated_->count(e) : 0;
  auto full = [&] { return limit >= 0 && static_cast<std::int64_t>(rows.size()) >= limit; };
  std::int64_t i = std::max<std::int64_t>(after_rowid + 1 - kGeneratedRowid, 0);
  if (where.empty()) {
    for (; i < n && !full(); ++i) rows.push_back({kGeneratedRowid + i, 0, generated_->row(e, i)});
    return;
  }
  const std::string table = std::string("temp.gen_") + e.table;
  const std::string query = "SELECT rowid, data FROM " + table + " WHERE (" + where +
                            ") ORDER BY rowid LIMIT ?";
  while (i < n && !full()) {
    savepoint("generated");
    exec("DELETE FROM " + table);
    auto* put = prepare("INSERT INTO " + table + "(rowid,id,data,modifiedon,version) VALUES(?,?,?,?,0)");
    const std::int64_t end = std::min(n, i + kBlock);
    for (std::int64_t k = i; k < end; ++k) {
      json data = generated_->row(e, k);
      bind(put, 1, kGeneratedRowid + k);
      bind(put, 2, data.value(e.key, std::string()));
      bind(put, 3, data.dump());
      bind(put, 4, data.value("modifiedon", std::string()));
      step_done(put);
    }
    release("generated");
    auto* s = prepare(query);
    int b = 1;
    for (auto& v : binds) bind(s, b++, v);
    bind(s, b, limit < 0 ? std::int64_t{-1} : limit - static_cast<std::int64_t>(rows.size()));
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
      const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(s, 1));
      rows.push_back({sqlite3_column_int64(s, 0), 0,
                      json::parse(text, text + sqlite3_column_bytes(s, 1))});
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) raise(query);
    i = end;
  }
}

bool SimStore::generated_parties(const std::string& activityid, const std::string& where,
                                 const std::vector<SqlValue>& binds, std::vector<json>& out) {
  const EntityInfo& emails = *entity_by_set("emails");
  const std::int64_t i = generated_ ? generated_->index_of(emails, activityid) : -1;
  if (i < 0) return false;
  // The parties of the block of e-mails around i (read in order, as pages are).
  if (const std::int64_t block = i / kBlock; block != generated_->parties_block) {
    savepoint("generated");
    exec("DELETE FROM temp.gen_parties");
    auto* put = prepare("INSERT INTO temp.gen_parties(activitypartyid,activityid,"
                        "participationtypemask,addressused) VALUES(?,?,?,?)");
    const std::int64_t end = std::min(generated_->emails, (block + 1) * kBlock);
    for (std::int64_t k = block * kBlock; k < end; ++k)
      for (auto& [pid, mask, address] : generated_->parties(k)) {
        bind(put, 1, pid);
        bind(put, 2, numbered_id(kEmailPrefix, k));
        bind(put, 3, std::int64_t{mask});
        bind(put, 4, address);
        step_done(put);
      }
    release("generated");
    generated_->parties_block = block;
  }
  out = parties_in("temp.gen_parties", lower(activityid), where, binds);
  return true;
}

}  // namespace crmr::sim
