// The one reader of secret files (mailbox password_file, [crm]
// client_secret_file, a mailbox's oauth2 client secret, certificate and key):
// the secret is the file's first line (or, for a PEM file, all of it), and a
// file that group or others may read is warned about, whoever asks.
#pragma once

#include <expected>
#include <string>
#include <vector>

namespace crmr {

enum class SecretFileProblem { Unreadable, Empty };

// What of the file is the secret: its first line (a password, a client
// secret), or the whole file (PEM certificates and private keys).
enum class SecretFileForm { FirstLine, Whole };

// The first line of `path` without its line end (the whole file for
// SecretFileForm::Whole). When the file is readable
// by group or others, appends "<setting> <path> is readable by group or
// others (chmod 600 it)" to `warnings`; `setting` names where the path came
// from (e.g. "[crm] client_secret_file"). The secret never appears in a
// warning. The caller turns a problem into its own Error, naming its setting.
std::expected<std::string, SecretFileProblem> read_secret_file(const std::string& path,
                                                              const std::string& setting,
                                                              std::vector<std::string>& warnings,
                                                              SecretFileForm form = SecretFileForm::FirstLine);

}  // namespace crmr
