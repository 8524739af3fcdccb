// The database schema of crm-router as an ordered list of migration steps.
// PRAGMA user_version holds the number of the last step applied; opening a
// database read-write applies the missing steps in order, all in one
// transaction (a failing step leaves the file as it was).
#pragma once

#include <span>

#include "core/result.h"
#include "storage/db.h"

namespace crmr {

struct Migration {
  int version;              // user_version after this step; steps count up from 1
  const char* description;  // for errors
  const char* sql;          // one or more statements
};

// The steps of this build, in order.
std::span<const Migration> schema_migrations();
// user_version of a database that has every step of this build.
int current_schema_version();

// Applies the steps of `steps` whose version is above the database's
// user_version, in order, in one transaction, and sets user_version. Fails
// (Scope::Run) when the database is newer than the last step.
Status apply_migrations(db::Connection& conn, std::span<const Migration> steps);

}  // namespace crmr
