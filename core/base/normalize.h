// Canonical forms used as lookup keys everywhere (cache, ledger, decision).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace crmr {

// E-mail address for comparison: surrounding space and angle brackets removed,
// lower-cased whole (CRMs compare addresses case-insensitively).
std::string normalize_address(std::string_view address);

// Message-ID key: surrounding space and angle brackets stripped, local part kept
// as is, domain (after the last '@') lower-cased. "" stays "".
std::string normalize_message_id(std::string_view id);

// Tracking token for comparison: whitespace removed, ASCII upper-cased
// ("crm: 0001001" -> "CRM:0001001").
std::string normalize_token(std::string_view token);

// Outlook Thread-Index (base64) -> conversation key: hex of its first 22 bytes
// (reserved byte, 5-byte time, 16-byte GUID). std::nullopt if it does not
// decode to at least 22 bytes.
std::optional<std::string> conversation_key(std::string_view thread_index_base64);

// Standard base64 decoding, ignoring whitespace; std::nullopt on bad input.
std::optional<std::string> base64_decode(std::string_view in);
std::string base64_encode(std::string_view in);

// `s` with ASCII letters in upper case (protocol keywords; no locale).
std::string ascii_upper(std::string_view s);

// Smart matching hashes (Dynamics "hash" correlation). Subject: the
// organisation's filter regex removes RE:/FW:-style prefixes, the rest is split
// into words, lower-cased and hashed; at most `max_count`, sorted, unique.
std::vector<std::int32_t> subject_hashes(std::string_view subject,
                                         const std::string& filter_regex, int max_count);
// Recipient address hashes: normalised addresses hashed, sorted, unique.
std::vector<std::int32_t> address_hashes(const std::vector<std::string>& addresses,
                                         int max_count);

}  // namespace crmr
