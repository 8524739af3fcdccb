#include "storage/key_set.h"

#include "storage/db.h"

namespace crmr {

struct KeySet::Impl {
  mutable db::Connection conn;
  std::size_t uncommitted = 0;  // inserts in the open transaction
};

namespace {
// Inserts per transaction: each autocommitted insert would be a transaction
// of its own (about 6 % of a dry run's CPU). Nothing here needs to survive
// the process, so the open transaction is simply dropped with the file.
constexpr std::size_t kInsertsPerCommit = 1000;
constexpr char kInsert[] = "INSERT OR IGNORE INTO keys (key) VALUES (?1)";
constexpr char kContains[] = "SELECT 1 FROM keys WHERE key = ?1";
}  // namespace

Result<std::unique_ptr<KeySet>> KeySet::open_temporary() {
  // An empty file name is SQLite's private temporary on-disk database.
  auto conn = db::Connection::open("", db::Access::ReadWriteCreate, "temporary key set");
  if (!conn) return fail(conn.error());
  // Private to this process: locked once, not around every statement.
  if (auto st = conn->exec("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
                           "PRAGMA locking_mode=EXCLUSIVE;"
                           "CREATE TABLE keys (key TEXT PRIMARY KEY) WITHOUT ROWID;");
      !st)
    return fail(st.error());
  auto impl = std::make_unique<Impl>();
  impl->conn = std::move(*conn);
  return std::unique_ptr<KeySet>(new KeySet(std::move(impl)));
}

KeySet::KeySet(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
KeySet::~KeySet() = default;

Status KeySet::insert(std::string_view key) {
  if (impl_->conn.depth() == 0) {
    if (auto st = impl_->conn.begin(); !st) return st;
  }
  auto q = impl_->conn.cached(kInsert);
  if (!q) return fail(q.error());
  if (auto st = (*q)->bind(1, key); !st) return st;
  if (auto st = (*q)->run(); !st) return st;
  if (++impl_->uncommitted < kInsertsPerCommit) return {};
  impl_->uncommitted = 0;
  return impl_->conn.commit();
}

Result<bool> KeySet::find(std::string_view key) const {
  auto q = impl_->conn.cached(kContains);
  if (!q) return fail(q.error());
  if (auto st = (*q)->bind(1, key); !st) return fail(st.error());
  return (*q)->step();
}

}  // namespace crmr
