// ProtocolTrace; see protocol_trace.h.
#include "core/mailbox/protocol_trace.h"

#include "core/base/normalize.h"

namespace crmr {
namespace {

constexpr std::string_view kMask = "***";

// The words of a line split at single spaces, as views into it.
std::vector<std::string_view> words(std::string_view line) {
  std::vector<std::string_view> out;
  while (!line.empty()) {
    std::size_t sp = line.find(' ');
    out.push_back(line.substr(0, sp));
    if (sp == std::string_view::npos) break;
    line.remove_prefix(sp + 1);
  }
  return out;
}

// The first IMAP argument of `rest` (an atom or a quoted string with
// escapes), or empty when it is a literal or missing.
std::string_view first_imap_arg(std::string_view rest) {
  if (rest.empty() || rest.front() == '{') return {};
  if (rest.front() != '"') return rest.substr(0, rest.find(' '));
  for (std::size_t i = 1; i < rest.size(); ++i) {
    if (rest[i] == '\\') ++i;
    else if (rest[i] == '"') return rest.substr(0, i + 1);
  }
  return {};
}

// Calls `f` for each line of `bytes` (without CR/LF).
template <class F>
void each_line(std::string_view bytes, F f) {
  while (!bytes.empty()) {
    std::size_t nl = bytes.find('\n');
    std::string_view line = bytes.substr(0, nl);
    if (line.ends_with('\r')) line.remove_suffix(1);
    f(line);
    if (nl == std::string_view::npos) break;
    bytes.remove_prefix(nl + 1);
  }
}

}  // namespace

ProtocolTrace::ProtocolTrace(Sink sink, std::vector<std::string> secrets)
    : sink_(std::move(sink)), secrets_(std::move(secrets)) {}

std::string mask_secrets(std::string text, const std::vector<std::string>& secrets) {
  for (const auto& s : secrets) {
    if (s.size() < 3) continue;  // too short to search for without mangling text
    for (std::size_t p = text.find(s); p != std::string::npos; p = text.find(s, p))
      text.replace(p, s.size(), kMask);
  }
  return text;
}

std::string ProtocolTrace::mask_client_line(std::string_view line) {
  std::vector<std::string_view> w = words(line);
  if (in_sasl_) {
    // Inside a SASL exchange every client line is a credential, except "*" (cancel).
    if (line == "*") return std::string(line);
    return std::string(kMask);
  }
  if (w.empty()) return {};
  std::string out;
  auto masked_after = [&](std::size_t keep) {
    std::size_t at = 0;
    for (std::size_t i = 0; i < keep && i < w.size(); ++i) at += w[i].size() + 1;
    out = std::string(line.substr(0, std::min(at, line.size())));
    if (w.size() > keep) {
      if (out.empty() || out.back() != ' ') out += ' ';
      out += kMask;
    }
  };
  std::string first = ascii_upper(w[0]);
  std::string second = w.size() > 1 ? ascii_upper(w[1]) : "";
  if (first == "PASS") {  // POP3 USER/PASS
    masked_after(1);
  } else if (first == "APOP") {  // APOP user digest
    masked_after(2);
  } else if (first == "AUTH" && w.size() >= 2) {  // POP3 SASL: AUTH mech [initial-response]
    in_sasl_ = true;
    masked_after(2);
  } else if (second == "AUTHENTICATE" && w.size() >= 3) {  // IMAP: tag AUTHENTICATE mech [ir]
    in_sasl_ = true;
    masked_after(3);
  } else if (second == "LOGIN" && w.size() >= 3) {  // IMAP: tag LOGIN user password
    std::string_view rest = line.substr(w[0].size() + w[1].size() + 2);
    std::string_view user = first_imap_arg(rest);
    out = std::string(line.substr(0, w[0].size() + w[1].size() + 2));
    out += user;
    out += user.empty() ? kMask : " " + std::string(kMask);
  } else {
    out = std::string(line);
  }
  return mask_secrets(std::move(out), secrets_);
}

void ProtocolTrace::emit(std::string_view prefix, std::string_view line) {
  std::string text(prefix);
  if (line.size() > kLineMax) {
    text += line.substr(0, kLineMax);
    text += "...";
  } else {
    text += line;
  }
  sink_(text);
}

void ProtocolTrace::client(std::string_view bytes) {
  if (!enabled()) return;
  each_line(bytes, [&](std::string_view line) { emit("C: ", mask_client_line(line)); });
}

void ProtocolTrace::server(std::string_view bytes, bool bulk) {
  if (!enabled()) return;
  std::size_t cut = bulk && bytes.size() > kBulkBytes ? bytes.size() - kBulkBytes : 0;
  if (cut) bytes = bytes.substr(0, kBulkBytes);
  each_line(bytes, [&](std::string_view line) {
    // The server's final answer ends a SASL exchange: anything but a
    // continuation ("+ ..." / "+") or untagged data ("* ...").
    bool continuation = line.starts_with('+') && !line.starts_with("+OK");
    if (in_sasl_ && !continuation && !line.starts_with("* ")) in_sasl_ = false;
    emit("S: ", mask_secrets(std::string(line), secrets_));
  });
  if (cut) emit("S: ", "... (" + std::to_string(cut) + " more bytes not traced)");
}

void ProtocolTrace::note(std::string_view text) {
  if (!enabled()) return;
  emit("-- ", mask_secrets(std::string(text), secrets_));
}

}  // namespace crmr
