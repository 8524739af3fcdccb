// dataverse-sim: fault injection, service protection limits, statistics and
// throughput.
#include <atomic>

#include "sim_test_util.h"

namespace crmr::sim::test {
namespace {

TEST(SimFaults, StatusFaultHitsTheNthRequest) {
  SimProcess sim({"--fault", "503@2"});
  SimClient client(sim.port());
  EXPECT_EQ(client.get("contacts")->status, 200);
  auto r = client.get("contacts");
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(error_code(r), "0x80040216");
  EXPECT_EQ(client.get("contacts")->status, 200);
}

TEST(SimFaults, Throttle429CarriesRetryAfter) {
  SimProcess sim({"--fault", "429@1:7"});
  SimClient client(sim.port());
  auto r = client.get("contacts");
  EXPECT_EQ(r->status, 429);
  EXPECT_EQ(r->get_header_value("Retry-After"), "7");
  EXPECT_EQ(error_code(r), "0x80072322");
}

TEST(SimFaults, DropClosesWithoutAnswer) {
  SimProcess sim({"--fault", "drop@1"});
  SimClient client(sim.port());
  auto r = client.get("contacts");
  EXPECT_FALSE(r);
  EXPECT_EQ(client.get("contacts")->status, 200);
  EXPECT_EQ(client.sim("stats")["faults_dropped"], 1);
}

TEST(SimFaults, DelayAnswersLate) {
  SimProcess sim({"--fault", "delay@1:300"});
  SimClient client(sim.port());
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(client.get("contacts")->status, 200);
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(300));
}

TEST(SimFaults, EveryKthAndCombinedSpecs) {
  SimProcess sim({"--fault", "every:503/3", "--fault", "429@1:2,502@2"});
  SimClient client(sim.port());
  std::vector<int> statuses;
  for (int i = 0; i < 6; ++i) statuses.push_back(client.get("contacts")->status);
  EXPECT_EQ(statuses, (std::vector<int>{429, 502, 503, 200, 200, 503}));
  EXPECT_EQ(client.sim("stats")["by_status"]["503"], 2);
}

TEST(SimFaults, RuntimeControlSetsAndResetsFaults) {
  SimProcess sim;
  SimClient client(sim.port());
  EXPECT_EQ(client.get("contacts")->status, 200);
  client.sim_post("faults", {{"faults", {"504@1", "every:500/2"}}});
  EXPECT_EQ(client.get("contacts")->status, 504);  // counted from the request after
  EXPECT_EQ(client.get("contacts")->status, 500);
  client.sim_post("reset-faults", json::object());
  EXPECT_EQ(client.get("contacts")->status, 200);
  EXPECT_EQ(client.sim_post("faults", {{"faults", "bogus@1"}}).count("error"), 1u);
}

TEST(SimLimits, RateLimitAnswers429WithRetryAfter) {
  SimProcess sim({"--rate-limit", "3", "--rate-window", "2"});
  SimClient client(sim.port());
  for (int i = 0; i < 3; ++i) EXPECT_EQ(client.get("contacts")->status, 200);
  auto r = client.get("contacts");
  EXPECT_EQ(r->status, 429);
  EXPECT_EQ(error_code(r), "0x80072322");
  EXPECT_NE(r->body.find("limit of 3 over time window of 2 seconds"), std::string::npos);
  int wait = std::stoi(r->get_header_value("Retry-After"));
  EXPECT_GE(wait, 1);
  EXPECT_LE(wait, 2);
  std::this_thread::sleep_for(std::chrono::seconds(wait));
  EXPECT_EQ(client.get("contacts")->status, 200);
}

TEST(SimLimits, BatchInnerRequestsCountAgainstTheLimit) {
  SimProcess sim({"--rate-limit", "3", "--rate-window", "60"});
  SimClient client(sim.port());
  std::string body;
  for (int i = 0; i < 4; ++i)
    body += "--b\r\nContent-Type: application/http\r\n\r\nGET contacts?$top=1 HTTP/1.1\r\n\r\n";
  body += "--b--\r\n";
  auto r = client.raw_post("/api/data/v9.2/$batch", body, "multipart/mixed; boundary=b");
  EXPECT_EQ(r->status, 429);
}

TEST(SimLimits, ConcurrencyLimitAnswers429) {
  SimProcess sim({"--max-concurrency", "1", "--fault", "delay@1:500"});
  std::atomic<int> slow_status{0};
  std::thread slow([&] {
    SimClient c(sim.port());
    slow_status = c.get("contacts")->status;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  SimClient client(sim.port());
  auto r = client.get("contacts");
  slow.join();
  EXPECT_EQ(slow_status, 200);
  EXPECT_EQ(r->status, 429);
  EXPECT_EQ(error_code(r), "0x80072326");
}

TEST(SimStats, CountsRequestsByStatusAndMissingODataVersion) {
  SimProcess sim;
  SimClient client(sim.port());
  client.get("contacts");
  client.get("nosuchset");
  client.http_.Post("/api/data/v9.2/emails",
                    httplib::Headers{{"Authorization", "Bearer " + client.token_}},
                    incoming_email("<nov@x>").dump(), "application/json");
  json stats = client.sim("stats");
  EXPECT_EQ(stats["by_status"]["200"], 1);
  EXPECT_EQ(stats["by_status"]["404"], 1);
  EXPECT_EQ(stats["by_status"]["204"], 1);
  EXPECT_EQ(stats["missing_odata_version"], 1);
}

double measure_throughput(SimProcess& sim) {
  const int threads = 4, per_thread = 1500;
  std::atomic<int> ok{0};
  auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t)
    workers.emplace_back([&, t] {
      SimClient client(sim.port());
      for (int i = 0; i < per_thread; ++i) {
        auto r = i % 2 ? client.get("emails?$select=activityid&$filter=messageid%20eq%20'%3Cx" +
                                    std::to_string(i) + "%3E'&$top=1")
                       : client.post("emails", incoming_email("<tp-" + std::to_string(t) + "-" +
                                                              std::to_string(i) + "@x>"));
        if (r && r->status < 300) ++ok;
      }
    });
  for (auto& w : workers) w.join();
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  double rate = threads * per_thread / seconds;
  EXPECT_EQ(ok, threads * per_thread);
  return rate;
}

TEST(SimThroughput, SustainsSimpleRequestsInMemory) {
  SimProcess sim;
  double rate = measure_throughput(sim);
  std::printf("[ speed    ] dataverse-sim :memory: %.0f requests/s (half creates, half lookups)\n", rate);
}

TEST(SimThroughput, SustainsSimpleRequestsWithAFileStore) {
  std::string db = testing::TempDir() + "/sim-throughput.db";
  std::remove(db.c_str());
  SimProcess sim({"--db", db});
  double rate = measure_throughput(sim);
  std::printf("[ speed    ] dataverse-sim file+WAL %.0f requests/s (half creates, half lookups)\n", rate);
}

}  // namespace
}  // namespace crmr::sim::test
