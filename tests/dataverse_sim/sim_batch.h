// OData $batch: parsing a multipart/mixed request (parts of application/http,
// change sets as nested multipart/mixed), running it through the Api with
// change sets all-or-nothing (one SQLite savepoint each) and Content-ID
// references ($1 in URLs and @odata.bind values), and writing the
// multipart/mixed answer.
#pragma once

#include <string>
#include <vector>

#include "sim_api.h"
#include "sim_types.h"

namespace crmr::sim {

struct BatchItem {
  SimRequest request;
  std::string content_id;
};

struct BatchPart {
  bool changeset = false;
  std::vector<BatchItem> items;
};

struct Batch {
  std::vector<BatchPart> parts;
  std::size_t request_count = 0;
};

inline constexpr std::size_t kMaxBatchRequests = 1000;

// `outer` supplies the Content-Type (with boundary) and the body, plus
// base_url and the Authorization etc. inner requests inherit. Errors: 400.
SimResult<Batch> parse_batch(const SimRequest& outer);

// Runs the parsed batch (takes the store lock) and answers 200 multipart/mixed.
// With Prefer: odata.continue-on-error it goes on after a failure; without,
// the first failure ends it.
SimResponse run_batch(Api& api, Batch batch, const SimRequest& outer);

}  // namespace crmr::sim
