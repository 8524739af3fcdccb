// dataverse-sim: a Dataverse Web API simulator for crm-router's integration
// tests and benchmarks. Prints "listening on 127.0.0.1:PORT" once ready and
// stops cleanly on SIGTERM/SIGINT. Exit status: 0 stopped by a signal,
// 2 bad arguments or seed file, 1 cannot open the store or bind the port.
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <pthread.h>
#include <sstream>
#include <thread>

#include <CLI/CLI.hpp>

#include "sim_server.h"

using namespace crmr::sim;

int main(int argc, char** argv) {
  SimConfig config;
  CLI::App app{"dataverse-sim: a simulated Dataverse Web API (base /api/data/v9.2/, token "
               "endpoint /{tenant}/oauth2/v2.0/token, test control API /_sim/...)"};
  app.add_option("--port", config.port, "port on 127.0.0.1 (0: pick a free one and print it)");
  app.add_option("--db", config.db, "SQLite file of what the CRM holds (:memory: ok)");
  app.add_option("--seed", config.seeds, "JSON Lines seed file(s), crm-router cache import format")
      ->check(CLI::ExistingFile);
  app.add_option("--generate-emails", config.generate_emails,
                 "add N generated tracked e-mails (with To/Cc parties) before serving");
  app.add_option("--generate-days", config.generate_days,
                 "spread the generated e-mails' modifiedon over the last N days (default 365)");
  app.add_option("--client-id", config.client_id, "client id the token endpoint accepts");
  app.add_option("--client-secret", config.client_secret, "client secret it accepts");
  app.add_option("--static-token", config.static_token, "a bearer token always accepted");
  app.add_flag("--no-auth", config.no_auth, "accept API requests without a token");
  app.add_option("--token-ttl", config.token_ttl, "seconds an issued token lives");
  app.add_option("--rate-limit", config.rate_limit, "requests per window (0: off)");
  app.add_option("--rate-window", config.rate_window, "sliding window in seconds");
  app.add_option("--max-concurrency", config.max_concurrency, "concurrent requests (0: off)");
  app.add_option("--threads", config.threads, "HTTP worker threads (one per open connection)");
  app.add_option("--fault", config.faults, "fault spec(s): 503@N drop@N lost@N delay@N:MS 429@N:RETRY "
                                           "every:503/K ...");
  app.add_flag("--reject-state-on-create", config.reject_state_on_create,
               "answer 400 to statecode/statuscode in an e-mail create");
  app.add_flag("--accept-readonly", config.accept_readonly,
               "ignore read-only fields (inreplyto, senton, ...) in a create instead of answering 400");
  app.add_option("--duplicate-status", config.duplicate_status,
                 "status of the received-mail messageid duplicate (412 or 400)")
      ->check(CLI::IsMember({412, 400}));
  app.add_option("--missing-bind-status", config.missing_bind_status,
                 "status of a bind to a missing record (400 or 404)")
      ->check(CLI::IsMember({400, 404}));
  app.add_flag("--changeset-error-nested", config.changeset_error_nested,
               "a failed change set answers nested parts (default: one error part)");
  app.add_flag("--strict-odata-version", config.strict_odata_version,
               "answer 400 to a JSON body without OData-Version: 4.0");
  app.add_option("--delta-token-ttl", config.delta_token_ttl, "seconds a delta token is valid");
  app.add_option("--delta-expired-status", config.delta_expired_status,
                 "status of an expired delta token (400 or 410)")
      ->check(CLI::IsMember({400, 410}));
  CLI11_PARSE(app, argc, argv);

  // SIGINT/SIGTERM are taken by one waiting thread; SIGPIPE is ignored.
  std::signal(SIGPIPE, SIG_IGN);
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  std::unique_ptr<SimStore> store;
  try {  // the store's open/schema failure is the one exception main sees
    store = std::make_unique<SimStore>(config.db);
  } catch (const StoreFailure& e) {
    std::cerr << "dataverse-sim: cannot open the store: " << e.what() << "\n";
    return 1;
  }
  SimServer server(config, *store);
  for (auto& text : config.faults) {
    auto specs = parse_faults(text, 0);
    if (!specs) {
      std::cerr << "dataverse-sim: " << specs.error().message << "\n";
      return 2;
    }
    server.faults().add(std::move(*specs));
  }
  auto seeded = server.api().seed_lines("", "defaults");
  for (auto& path : config.seeds) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    seeded = server.api().seed_lines(text.str(), path);
    if (!seeded) break;
  }
  if (!seeded) {
    std::cerr << "dataverse-sim: seed: " << seeded.error().message << "\n";
    return 2;
  }
  try {
    std::lock_guard lock(store->mutex());
    store->generate_emails(config.generate_emails, config.generate_days);
  } catch (const StoreFailure& e) {
    std::cerr << "dataverse-sim: generate: " << e.what() << "\n";
    return 1;
  }

  int port = server.bind();
  if (port < 0) {
    std::cerr << "dataverse-sim: cannot listen on 127.0.0.1:" << config.port << "\n";
    return 1;
  }
  // stop() is a no-op until listen() is running: a signal that arrives just
  // after start-up must be retried until listen() has returned.
  std::atomic<bool> listening_done{false};
  std::thread stopper([&] {
    int sig = 0;
    sigwait(&stop_signals, &sig);
    while (!listening_done) {
      server.stop();
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  std::cout << "listening on 127.0.0.1:" << port << std::endl;
  server.listen();
  listening_done = true;
  // listen() also returns when stop() came from elsewhere: wake the stopper.
  pthread_kill(stopper.native_handle(), SIGTERM);
  stopper.join();
  return 0;
}
