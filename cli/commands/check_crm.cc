// The CRM part of `check` (a [crm] section configured): obtain a token, make
// one authenticated read (WhoAmI), read the organisation settings, and show
// the cache's freshness. Each failure is one line with the CRM's own error
// text; nothing is written anywhere.
#include "cli/cache_freshness.h"
#include "cli/commands/crm_commands.h"
#include "cli/exit_codes.h"

namespace crmr {
namespace {

std::string org_summary(const OrgSettings& o) {
  std::string prefixes;
  for (const auto& p : o.tracking_prefixes) prefixes += (prefixes.empty() ? "" : ";") + p;
  return "tracking prefix " + prefixes + ", correlation " + (o.correlation_enabled ? "on" : "off") +
         ", smart matching " + (o.smart_matching ? "on" : "off") + ", max upload " +
         std::to_string(o.max_upload_file_size) + " bytes, " +
         std::to_string(o.blocked_extensions.size()) + " blocked extensions";
}

}  // namespace

int check_crm(Context& ctx, const Store* store) {
  const CrmConfig& c = ctx.cfg.crm;
  const std::string crm = "crm " + c.url;
  auto sink = open_crm_reader(ctx);
  if (!sink) {
    ctx.out.error(crm + ": " + sink.error().describe());
    return kExitConfig;
  }
  if (auto st = (*sink)->authenticate(); !st) {
    ctx.out.error(crm + ": " + st.error().describe());
    return kExitUnreachable;
  }
  ctx.out.info(crm + ": token obtained" +
               (c.auth == "bearer" ? std::string(" (bearer token from ") + c.token_env + ")"
                                   : " from " + c.token_url + " (client id " + c.client_id + ")"));
  auto me = (*sink)->who_am_i();
  if (!me) {
    ctx.out.error(crm + ": " + me.error().describe());
    return kExitUnreachable;
  }
  ctx.out.info("  WhoAmI: user " + me->user_id + ", organization " + me->organization_id);
  auto org = (*sink)->read_org();
  if (!org) {
    ctx.out.error(crm + ": " + org.error().describe());
    return kExitUnreachable;
  }
  ctx.out.info("  organization settings: " + org_summary(*org));
  if (store) {
    auto f = cache_freshness(*store);
    if (!f) return ctx.fail_with(f.error());
    ctx.out.info("  cache: " + freshness_text(*f));
  }
  return kExitOk;
}

}  // namespace crmr
