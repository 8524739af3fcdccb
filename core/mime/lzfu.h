// Compressed RTF (MS-OXRTFCP): the LZFu format Outlook uses for
// PR_RTF_COMPRESSED, and its uncompressed "MELA" variant. Pure function over
// bytes, no allocation beyond the bounded output.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/result.h"

namespace crmr {

// Decompress a PR_RTF_COMPRESSED value to the RTF text. The output is capped
// at `max_output` bytes and never exceeds what the input can expand to (at
// most 17 bytes per 2 input bytes), whatever the header declares. Errors
// (tnef.rtf_*): header shorter than 16 bytes, an unknown signature, a
// declared size larger than the bytes present. A stream cut short inside the
// body gives what was decoded so far (the CRC is not enforced: Outlook itself
// ignores a bad one on MELA streams, and a damaged body still reads);
// `*crc_ok`, if given, tells whether an LZFu stream's CRC matched.
Result<std::string> decompress_rtf(std::string_view compressed,
                                   std::size_t max_output = 64u * 1024 * 1024,
                                   bool* crc_ok = nullptr);

}  // namespace crmr
