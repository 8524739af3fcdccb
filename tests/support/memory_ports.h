// In-memory substitutes of the engine's ports (core/run_journal.h,
// core/state_store.h), so that tests of core/engine need no SQLite. They keep
// what storage's Store keeps, as plain containers a test can read, and follow
// its rules: writes of an open batch are seen at once by the same journal
// (the ledger), and undone by rollback(); nested begin() calls are counted.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/run_journal.h"
#include "core/state_store.h"

namespace crmr::test {

class MemoryJournal final : public RunJournal {
 public:
  // `ledger`: the key set the cache's ledger_has() reads (e.g. MemoryCache::ledger).
  explicit MemoryJournal(std::set<std::string>& ledger) : ledger_(ledger) {}

  struct Entry {
    std::int64_t run_id = 0;
    std::int64_t seq = 0;
    std::string json;
  };
  std::vector<ProcessedMessage> processed;  // committed, in order
  std::vector<Entry> entries;               // committed, in order
  int commits = 0;                          // outermost commits

  Status begin() override {
    ++depth_;
    return {};
  }
  Status commit() override {
    if (depth_ > 0 && --depth_ > 0) return {};
    for (auto& m : pending_) processed.push_back(std::move(m));
    for (auto& e : pending_entries_) entries.push_back(std::move(e));
    pending_.clear();
    pending_entries_.clear();
    pending_keys_.clear();
    ++commits;
    return {};
  }
  void rollback() noexcept override {
    depth_ = 0;
    for (const auto& k : pending_keys_) ledger_.erase(k);
    pending_.clear();
    pending_entries_.clear();
    pending_keys_.clear();
  }
  Status record_processed(std::int64_t, const ProcessedMessage& m) override {
    if (ledger_.insert(m.key).second) pending_keys_.push_back(m.key);
    pending_.push_back(m);
    return depth_ > 0 ? Status{} : commit_now();
  }
  Status add_run_entry(std::int64_t run_id, std::int64_t seq, const std::string& json) override {
    pending_entries_.push_back({run_id, seq, json});
    return depth_ > 0 ? Status{} : commit_now();
  }

 private:
  Status commit_now() {
    ++depth_;
    return commit();
  }

  std::set<std::string>& ledger_;
  int depth_ = 0;
  std::vector<ProcessedMessage> pending_;
  std::vector<Entry> pending_entries_;
  std::vector<std::string> pending_keys_;
};

class MemoryStateStore final : public StateStore {
 public:
  std::map<std::string, std::string> state;
  std::map<std::string, std::set<std::string>> seen;  // mailbox -> ids

  Result<std::optional<std::string>> state_get(const std::string& key) const override {
    auto it = state.find(key);
    if (it == state.end()) return std::optional<std::string>();
    return std::optional<std::string>(it->second);
  }
  Status state_set(const std::string& key, const std::string& value) override {
    state[key] = value;
    return {};
  }
  Result<std::vector<std::string>> pop3_seen(const std::string& mailbox) const override {
    auto it = seen.find(mailbox);
    if (it == seen.end()) return std::vector<std::string>();
    return std::vector<std::string>(it->second.begin(), it->second.end());
  }
  Status pop3_mark_seen(const std::string& mailbox, const std::vector<std::string>& ids) override {
    seen[mailbox].insert(ids.begin(), ids.end());
    return {};
  }
  Status pop3_forget(const std::string& mailbox, const std::vector<std::string>& ids) override {
    for (const auto& id : ids) seen[mailbox].erase(id);
    return {};
  }
};

}  // namespace crmr::test
