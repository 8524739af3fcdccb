// The libFuzzer entry of one target: CRMR_FUZZ_ENTRY (a compile definition,
// e.g. run_mime) names the function of fuzz_targets.h it calls.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_targets.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  crmr::fuzz::CRMR_FUZZ_ENTRY(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
