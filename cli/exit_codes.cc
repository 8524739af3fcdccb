#include "cli/exit_codes.h"

namespace crmr {

int exit_code_for(const Error& e) {
  if (const int table = code_info(e.code).exit_code; table != kExitFromScope) return table;
  switch (e.scope) {
    case Scope::Run: return kExitStorage;
    case Scope::Account:
    case Scope::Mailbox: return kExitUnreachable;
    case Scope::Message: return kExitPartial;
  }
  return kExitPartial;
}

int worse_exit_code(int a, int b) {
  // Rank of each code, highest wins; a code outside the table ranks first.
  auto rank = [](int c) {
    switch (c) {
      case kExitBusy: return 8;
      case kExitUsage: return 7;
      case kExitConfig: return 6;
      case kExitCacheNotReady: return 5;
      case kExitStorage: return 4;
      case kExitUnreachable: return 3;
      case kExitInput: return 2;
      case kExitPartial: return 1;
      case kExitOk: return 0;
    }
    return 9;
  };
  return rank(b) > rank(a) ? b : a;
}

}  // namespace crmr
