// Store: bulk loading (`cache import`). Each commit of a bulk load is a
// checkpoint a crash goes back to, as for any transaction; what changes is
// when SQLite copies its write-ahead log into the database file. By default it
// does after every commit that leaves more than 1000 pages in the log; a load
// of random addresses touches most pages of the address index in every batch,
// so the whole index would be written (and synced) again at every commit.
#include <filesystem>
#include <system_error>

#include "storage/store_impl.h"
#include "core/base/utf8_path.h"

namespace crmr {
namespace {

constexpr char kForeignKeysOff[] = "PRAGMA foreign_keys = OFF";
constexpr char kForeignKeysOn[] = "PRAGMA foreign_keys = ON";
constexpr char kNoAutoCheckpoint[] = "PRAGMA wal_autocheckpoint = 0";
constexpr char kAutoCheckpoint[] = "PRAGMA wal_autocheckpoint = 1000";  // SQLite's default
constexpr char kCheckpoint[] = "PRAGMA wal_checkpoint(PASSIVE)";
// Copies the log and empties its file (once no reader needs it), so that the
// file's size tells how much the log holds.
constexpr char kCheckpointTruncate[] = "PRAGMA wal_checkpoint(TRUNCATE)";

std::uintmax_t size_of(const std::string& path) {
  std::error_code ec;
  const std::uintmax_t n = std::filesystem::file_size(utf8_path(path), ec);
  return ec ? 0 : n;
}

}  // namespace

Status Store::set_bulk_load(bool on) {
  if (auto st = impl_->writable("load the cache"); !st) return st;
  auto& conn = impl_->conn;
  if (conn.depth() > 0)
    return fail(Code::StoreMisuse, "a bulk load starts and ends between transactions");
  if (on) {
    if (auto st = conn.exec(kForeignKeysOff); !st) return st;
    return conn.exec(kNoAutoCheckpoint);
  }
  Status st = conn.exec(kForeignKeysOn);
  if (st) st = conn.exec(kAutoCheckpoint);
  if (st) st = conn.exec(kCheckpoint);
  return st;
}

Status Store::bulk_load_checkpoint() {
  if (impl_->path == ":memory:") return {};
  const std::uintmax_t log = size_of(impl_->path + "-wal");
  if (log == 0 || log < size_of(impl_->path)) return {};
  return impl_->conn.exec(kCheckpointTruncate);
}

}  // namespace crmr
