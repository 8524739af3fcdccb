// ISO-2022-JP as Japanese mailers write it (the CP50220 family): JIS X 0208
// with the NEC and IBM extension rows (circled digits, №, ㈱ ...), which
// glibc's ISO-2022-JP decoders reject. Internal to charset.cc.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace crmr {

// Re-encode ISO-2022-JP bytes as CP932 (Shift_JIS with the Microsoft
// extensions), for iconv's CP932 decoder to finish. std::nullopt when the
// input has 8-bit bytes or an escape sequence other than ASCII, JIS-Roman,
// JIS X 0201 katakana and JIS X 0208 (the caller then uses ISO-2022-JP-2).
std::optional<std::string> iso2022jp_to_cp932(std::string_view in);

}  // namespace crmr
