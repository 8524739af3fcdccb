// Helpers for the storage tests: a temporary directory removed afterwards,
// whole-file reads for byte-for-byte comparisons, and small value builders.
// Include only from test sources that link GoogleTest.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/base/normalize.h"
#include "storage/db.h"
#include "storage/schema.h"
#include "storage/store.h"
#include "tests/support/temp_dir.h"
#include "tests/support/result_matchers.h"

namespace crmr::test {

inline std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

inline std::unique_ptr<Store> memory_store() {
  auto store = Store::open(":memory:", OpenMode::ReadWrite);
  EXPECT_OK(store);
  return std::move(*store);
}

// A database file at `path` as schema version `version` made it, with `sql`
// run on it (rows an older version held), for the migration tests.
inline void database_at_version(const std::string& path, int version, const char* sql) {
  auto conn = db::Connection::open(path, db::Access::ReadWriteCreate);
  ASSERT_TRUE(conn);
  ASSERT_TRUE(apply_migrations(*conn, schema_migrations().first(static_cast<std::size_t>(version))));
  ASSERT_TRUE(conn->exec(sql));
}

inline CrmRecord contact(std::string id, std::string name, std::vector<std::string> addresses,
                     bool active = true) {
  return CrmRecord{"contact", std::move(id), std::move(name), active, -1,
                      std::move(addresses)};
}

inline ProcessedMessage processed(std::string key, std::string outcome, std::string raw = "raw") {
  ProcessedMessage m;
  m.key = std::move(key);
  m.source = "mbox:/tmp/in.mbox";
  m.position = "42";
  m.message_id = "a@b";
  m.outcome = std::move(outcome);
  m.reason = "CorrelationMatch";
  m.decision_json = R"({"outcome":"queued"})";
  m.raw = std::move(raw);
  m.error = "bad MIME";
  return m;
}

inline TrackedEmail tracked(std::string id, std::string subject) {
  TrackedEmail e;
  e.activity_id = std::move(id);
  e.subject = std::move(subject);
  return e;
}

// A base64 Thread-Index of 27 bytes whose first 22 bytes start with `first`.
inline std::string thread_index(char first) {
  std::string raw(27, '\x5a');
  raw[0] = first;
  return base64_encode(raw);
}


}  // namespace crmr::test
