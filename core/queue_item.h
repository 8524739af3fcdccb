// QueueItemRef: an e-mail in a CRM queue, as push found or made it (the
// queue and its queue item). A value type shared by the report, which names
// the queues of each pushed message, and the CRM sink, which returns them.
#pragma once

#include <string>

namespace crmr {

struct QueueItemRef {
  std::string queue_id;
  std::string queue;    // the queue's name (for the report)
  std::string item_id;  // queueitemid
};

}  // namespace crmr
