// The one reader of secret files (mailbox password_file, [crm]
// client_secret_file): the secret is the file's first line, and a file that
// group or others may read is warned about, whoever asks.
#pragma once

#include <expected>
#include <string>
#include <vector>

namespace crmr {

enum class SecretFileProblem { Unreadable, Empty };

// The first line of `path` without its line end. When the file is readable
// by group or others, appends "<setting> <path> is readable by group or
// others (chmod 600 it)" to `warnings`; `setting` names where the path came
// from (e.g. "[crm] client_secret_file"). The secret never appears in a
// warning. The caller turns a problem into its own Error, naming its setting.
std::expected<std::string, SecretFileProblem> read_secret_file(const std::string& path,
                                                              const std::string& setting,
                                                              std::vector<std::string>& warnings);

}  // namespace crmr
