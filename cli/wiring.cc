#include "cli/wiring.h"

#include <cstdlib>

#include <spdlog/spdlog.h>

#include "cli/config/client_certificate.h"
#include "cli/config/secret_file.h"
#include "core/crm/dataverse.h"
#include "storage/key_set.h"

namespace crmr {
namespace {

// The pipeline's events as log lines.
class LoggedPipelineEvents final : public PipelineEvents {
 public:
  void cache_failed(const Error& e) override {
    spdlog::warn("{}", e.describe());  // the command prints it; error level would repeat it
  }
  void source_failed(const std::string& source, const Error& e) override {
    spdlog::warn("{}: {}", source, e.describe());
  }
  void source_failure_not_recorded(const std::string& source, const Error& e) override {
    spdlog::error("{}: {}", source, e.describe());
  }
};

}  // namespace

PipelineServices pipeline_services() {
  static LoggedPipelineEvents events;  // stateless: one for every pipeline
  PipelineServices s;
  s.open_seen_keys = []() -> Result<std::unique_ptr<SeenKeys>> {
    auto set = KeySet::open_temporary();
    if (!set) return std::unexpected(set.error());
    return std::unique_ptr<SeenKeys>(std::move(*set));
  };
  s.events = &events;
  return s;
}

std::unique_ptr<Pipeline> make_pipeline(Store& store, const std::string& db_path,
                                        PipelineOptions opts, std::int64_t run_id,
                                        EntrySink sink) {
  auto p = std::make_unique<Pipeline>(store, std::move(opts), run_id, std::move(sink),
                                      pipeline_services());
  p->decide_on_workers(open_worker_readers(db_path));
  return p;
}

WorkerCache::Open open_worker_readers(const std::string& db_path) {
  if (db_path.empty() || db_path == ":memory:") return {};
  return [db_path]() -> Result<std::unique_ptr<CacheReader>> {
    auto store = Store::open(db_path, OpenMode::ReadOnly);
    if (!store) return std::unexpected(store.error());
    return std::unique_ptr<CacheReader>(std::move(*store));
  };
}

// --- the CRM client of the configuration: the Dataverse implementation of
// CrmSink and CrmReader, and the [crm] secret (environment variable, secret
// file or certificate) it reads.
namespace {

Error secret_error(const std::string& what, const std::string& hint) {
  return Error{Code::CrmSecret, what, hint, Scope::Run, Retry::Never};
}

Result<std::string> read_secret_env(const std::string& var, const char* key) {
  const char* v = std::getenv(var.c_str());
  if (!v || !*v)
    return std::unexpected(secret_error(
        "the environment variable " + var + " (named by [crm] " + key + ") is not set or empty",
        "export it before running crm-router"));
  return std::string(v);
}

Result<std::string> read_client_secret_file(const std::string& path,
                                            std::vector<std::string>& warnings) {
  auto s = read_secret_file(path, "[crm] client_secret_file", warnings);
  if (!s && s.error() == SecretFileProblem::Unreadable)
    return std::unexpected(secret_error("cannot read the client secret file " + path +
                                            " ([crm] client_secret_file)",
                                        "check the path and that crm-router may read it"));
  if (!s) return std::unexpected(secret_error("the client secret file " + path + " is empty", ""));
  return *s;
}

// The client's options for ctx.cfg.crm; its secret read when `with_secret`
// (a dry run sends nothing and needs none).
Result<dataverse::DataverseOptions> crm_options(const Context& ctx, bool with_secret) {
  const CrmConfig& c = ctx.cfg.crm;
  if (!c.configured())
    return fail(Code::CrmConfig, "no [crm] section in the configuration", Scope::Run, Retry::Never,
                "see crm-router.conf(5), section [crm]");
  dataverse::DataverseOptions o;
  o.api_url = c.url;
  o.token_url = c.token_url;
  o.client_id = c.client_id;
  o.scope = c.scope;
  if (!with_secret) {
    if (c.auth == "bearer") o.auth = dataverse::DataverseOptions::Auth::Bearer;
  } else if (c.auth == "bearer") {
    o.auth = dataverse::DataverseOptions::Auth::Bearer;
    auto t = read_secret_env(c.token_env, "token_env");
    if (!t) return std::unexpected(t.error());
    o.bearer_token = std::move(*t);
  } else {
    std::vector<std::string> warnings;
    if (!c.certificate.empty()) {
      auto signer = load_client_certificate(c.certificate, c.certificate_key, "[crm] ", warnings);
      for (const auto& w : warnings) ctx.out.warn(w);
      if (!signer) {
        Error e = signer.error();
        e.code = Code::CrmSecret;
        return std::unexpected(std::move(e));
      }
      o.certificate = std::move(*signer);
    } else {
      auto s = !c.client_secret_env.empty()
                   ? read_secret_env(c.client_secret_env, "client_secret_env")
                   : read_client_secret_file(c.client_secret_file, warnings);
      for (const auto& w : warnings) ctx.out.warn(w);
      if (!s) return std::unexpected(s.error());
      o.client_secret = std::move(*s);
    }
  }
  o.concurrency = c.concurrency;
  o.timeout = std::chrono::seconds(c.timeout_s);
  o.max_attempts = static_cast<int>(c.max_attempts);
  o.ca_file = c.tls_ca_file;
  o.verify_tls = c.tls_verify;
  if (!c.tls_verify && with_secret) ctx.out.warn("[crm] TLS certificate verification is off (tls_verify = false)");
  o.server_mode = c.mode == "server";
  o.queue_items = c.queue_items;
  o.queue_items_in_batch = c.queue_items_in_batch;
  o.apply_record_rules = c.apply_record_rules;
  o.duplicate_lookup = c.duplicate_lookup == "or"       ? dataverse::LookupSyntax::Or
                       : c.duplicate_lookup == "single" ? dataverse::LookupSyntax::Single
                                                        : dataverse::LookupSyntax::In;
  o.limits = ctx.cfg.limits;
  return o;
}

}  // namespace

Result<std::unique_ptr<CrmSink>> open_crm_sink(const Context& ctx, bool with_secret) {
  auto o = crm_options(ctx, with_secret);
  if (!o) return std::unexpected(o.error());
  return dataverse::make_dataverse_sink(std::move(*o));
}

Result<std::unique_ptr<CrmReader>> open_crm_reader(const Context& ctx) {
  auto o = crm_options(ctx, true);
  if (!o) return std::unexpected(o.error());
  return dataverse::make_dataverse_reader(std::move(*o));
}

}  // namespace crmr
