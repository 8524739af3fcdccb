// Generated tracked e-mails (--generate-emails N --generate-days D): N sent
// e-mails with a message id, a tracking token, a subject, To and Cc parties
// and `torecipients`, their modifiedon spread evenly over the last D days
// (the newest now). Deterministic ids (e-mail i is 00000000-0000-4000-8000-
// 00000000000i in hex), so a benchmark or test can name one. One transaction.
#include <cstdio>
#include <ctime>

#include "sim_store.h"

namespace crmr::sim {
namespace {

std::string iso_at(std::int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char out[32];
  std::strftime(out, sizeof out, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return out;
}

}  // namespace

void SimStore::generate_emails(std::int64_t count, int days) {
  if (count <= 0) return;
  const std::int64_t now = now_unix();
  const std::int64_t span = static_cast<std::int64_t>(days) * 86400;
  exec("BEGIN");
  auto* email = prepare("INSERT INTO emails(id,data,modifiedon,version) VALUES(?,?,?,?)");
  auto* party = prepare(
      "INSERT INTO parties(activitypartyid,activityid,participationtypemask,addressused) "
      "VALUES(?,?,?,?)");
  char id[48], pid[48];
  for (std::int64_t i = 0; i < count; ++i) {
    std::snprintf(id, sizeof id, "00000000-0000-4000-8000-%012llx", static_cast<unsigned long long>(i));
    const std::string modified = iso_at(now - (count > 1 ? span * i / (count - 1) : 0));
    const std::string n = std::to_string(i);
    const std::string to = "customer" + n + "@example.org";
    const std::string cc = "team" + std::to_string(i % 1000) + "@example.org";
    json data{{"activityid", id},
              {"messageid", "<gen-" + n + "@crm.contoso.example>"},
              {"trackingtoken", "CRM:0" + std::to_string(1000000 + i)},
              {"subject", "Order " + n + " shipping update"},
              {"directioncode", true},
              {"statecode", 1},
              {"statuscode", 3},
              {"sender", "sales@contoso.example"},
              {"torecipients", to},
              {"createdon", modified},
              {"modifiedon", modified},
              {"versionnumber", ++version_}};
    bind(email, 1, std::string(id));
    bind(email, 2, data.dump());
    bind(email, 3, modified);
    bind(email, 4, version_);
    step_done(email);
    int k = 0;
    for (auto [mask, address] : {std::pair{2, to}, std::pair{3, cc}}) {
      std::snprintf(pid, sizeof pid, "00000000-0000-4000-%04x-%012llx", 0x9000 + k++,
                    static_cast<unsigned long long>(i));
      bind(party, 1, std::string(pid));
      bind(party, 2, std::string(id));
      bind(party, 3, std::int64_t{mask});
      bind(party, 4, address);
      step_done(party);
    }
  }
  exec("COMMIT");
}

}  // namespace crmr::sim
