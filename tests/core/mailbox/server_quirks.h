// Scripted rules for a logged-in mailbox (an IMAP INBOX, a POP3 maildrop)
// and for quirks seen on servers packaged in Debian (see scripted_server.h):
// put a quirk's rules before the ordinary ones, whose answers they override.
// Each quirk names the server that shows it.
#pragma once

#include <string>
#include <vector>

#include "tests/core/mailbox/scripted_server.h"

namespace crmr::test {

// --- Rules shared by scripts (matched by prefix: see scripted_server.h)

// An IMAP login as libcurl does it (CAPABILITY, then LOGIN when no AUTH= is
// offered), CAPABILITY again after it, a flat LIST "" "" (no NAMESPACE), and
// LOGOUT. `caps` are announced after
// "IMAP4rev1" ("UTF8=ACCEPT ENABLE").
inline std::vector<ScriptRule> imap_login_rows(const std::string& caps = "") {
  std::string c = "IMAP4rev1" + (caps.empty() ? "" : " " + caps);
  return {
      {"CAPABILITY", "* CAPABILITY " + c + "\r\n{tag} OK done\r\n"},
      {"LOGIN ", "{tag} OK logged in\r\n"},
      {"LIST \"\" \"\"", "* LIST (\\Noselect) \"/\" \"\"\r\n{tag} OK done\r\n"},
      {"LOGOUT", "* BYE bye\r\n{tag} OK done\r\n"},
  };
}

// An IMAP string literal of `bytes`.
inline std::string imap_literal(const std::string& bytes) {
  return "{" + std::to_string(bytes.size()) + "}\r\n" + bytes;
}

// A selected INBOX holding `messages` as UIDs 1..n (UIDVALIDITY 42, UIDNEXT
// n+1, INTERNALDATE `internal_date`): SELECT, UID SEARCH UID 1:n, FETCH of
// UIDs by sequence number (single numbers, pairs, 1:n, 1:n with
// INTERNALDATE), UID FETCH 1:n of
// whole messages and of headers, UID STORE and UID EXPUNGE.
inline std::vector<ScriptRule> imap_inbox_rows(
    const std::vector<std::string>& messages,
    const std::string& internal_date = "05-Jan-2026 10:00:00 +0000") {
  const std::size_t n = messages.size();
  const std::string all = n == 1 ? "1" : "1:" + std::to_string(n);
  std::vector<ScriptRule> rows;
  rows.push_back({"SELECT \"INBOX\"", "* " + std::to_string(n) +
                                           " EXISTS\r\n* OK [UIDVALIDITY 42] ok\r\n* OK [UIDNEXT " +
                                           std::to_string(n + 1) +
                                           "] ok\r\n{tag} OK [READ-WRITE] selected\r\n"});
  std::string search = "* SEARCH", by_seq, dated, bodies, headers;
  for (std::size_t i = 1; i <= n; ++i) {
    const std::string k = std::to_string(i);
    const std::string& m = messages[i - 1];
    std::size_t end = m.find("\r\n\r\n");
    search += " " + k;
    std::string line = "* " + k + " FETCH (UID " + k + ")\r\n";
    by_seq += line;
    dated += "* " + k + " FETCH (UID " + k + " INTERNALDATE \"" + internal_date + "\")\r\n";
    rows.push_back({"FETCH " + k + " (UID)", line + "{tag} OK done\r\n"});
    if (i < n)
      rows.push_back({"FETCH " + k + ":" + std::to_string(i + 1) + " (UID)",
                      line + "* " + std::to_string(i + 1) + " FETCH (UID " +
                          std::to_string(i + 1) + ")\r\n{tag} OK done\r\n"});
    bodies += "* " + k + " FETCH (UID " + k + " INTERNALDATE \"" + internal_date +
              "\" BODY[] " + imap_literal(m) + ")\r\n";
    headers += "* " + k + " FETCH (UID " + k + " BODY[HEADER] " +
               imap_literal(end == std::string::npos ? m : m.substr(0, end + 4)) + ")\r\n";
  }
  rows.push_back({"UID SEARCH UID " + all, search + "\r\n{tag} OK done\r\n"});
  if (n > 1) rows.push_back({"FETCH " + all + " (UID)", by_seq + "{tag} OK done\r\n"});
  rows.push_back({"FETCH " + all + " (UID INTERNALDATE)", dated + "{tag} OK done\r\n"});
  rows.push_back({"UID FETCH " + all + " (UID INTERNALDATE BODY.PEEK[])", bodies + "{tag} OK done\r\n"});
  rows.push_back({"UID FETCH " + all + " (UID BODY.PEEK[HEADER])", headers + "{tag} OK done\r\n"});
  rows.push_back({"UID STORE ", "{tag} OK stored\r\n"});
  rows.push_back({"UID EXPUNGE ", "{tag} OK expunged\r\n"});
  return rows;
}

// A POP3 multi-line body: CRLF line ends, dot-stuffed, ended by ".".
inline std::string pop3_multiline(const std::string& text) {
  std::string out;
  bool line_start = true;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (line_start && c == '.') out += '.';
    if (c == '\n' && (i == 0 || text[i - 1] != '\r')) out += '\r';
    out += c;
    line_start = c == '\n';
  }
  if (!out.empty() && !out.ends_with("\r\n")) out += "\r\n";
  return out + ".\r\n";
}

// A POP3 login as libcurl does it (CAPA, USER, PASS), CAPA again after it,
// and QUIT. `capa` lines are announced after USER, UIDL and TOP.
inline std::vector<ScriptRule> pop3_login_rows(const std::vector<std::string>& capa = {}) {
  std::string lines = "USER\r\nUIDL\r\nTOP\r\n";
  for (const auto& c : capa) lines += c + "\r\n";
  return {
      {"CAPA", "+OK capabilities\r\n" + lines + ".\r\n"},
      {"USER ", "+OK\r\n"},
      {"PASS ", "+OK logged in\r\n"},
      {"QUIT", "+OK bye\r\n"},
  };
}

// STAT, UIDL ("U1", "U2", ...), TOP n 0, RETR n and DELE n for `messages`
// (message n is messages[n-1]), numbered from 1. DELE deletes nothing.
inline std::vector<ScriptRule> pop3_mailbox_rows(const std::vector<std::string>& messages) {
  std::size_t octets = 0;
  std::string uidl = "+OK\r\n";
  std::vector<ScriptRule> rows;
  for (std::size_t i = 0; i < messages.size(); ++i) {
    const std::string n = std::to_string(i + 1);
    // Rules match by prefix: message 10's rows go before message 1's (below).
    const std::string& m = messages[i];
    octets += m.size();
    uidl += n + " U" + n + "\r\n";
    std::size_t end = m.find("\r\n\r\n");
    std::string header = end == std::string::npos ? m : m.substr(0, end + 4);
    rows.insert(rows.begin(), {{"TOP " + n + " 0", "+OK\r\n" + pop3_multiline(header)},
                               {"RETR " + n, "+OK\r\n" + pop3_multiline(m)},
                               {"DELE " + n, "+OK deleted\r\n"}});
  }
  rows.push_back({"STAT", "+OK " + std::to_string(messages.size()) + " " +
                              std::to_string(octets) + "\r\n"});
  rows.push_back({"UIDL", uidl + ".\r\n"});
  return rows;
}


// GNU Mailutils imap4d 3.15: UID SEARCH UID 1:* (any "n:*") lists no UIDs;
// a bounded range ("1:3") works.
inline std::vector<ScriptRule> quirk_uid_search_star_empty() {
  return {{"UID SEARCH UID 1:*", "* SEARCH\r\n{tag} OK done\r\n"},
          {"UID SEARCH UID 2:*", "* SEARCH\r\n{tag} OK done\r\n"}};
}

// A server whose every UID SEARCH lists no UIDs, whatever the folder holds.
inline std::vector<ScriptRule> quirk_uid_search_always_empty() {
  return {{"UID SEARCH ", "* SEARCH\r\n{tag} OK done\r\n"}};
}

// Courier pop3d: message `n` (raw UTF-8 in its header) is served, by TOP and
// RETR, as a "Cannot display Unicode content" stand-in from "postmaster"
// unless the client sent UTF8 (RFC 6856). Also lists UTF8 in CAPA when
// `advertise` (give the rows before pop3_login_rows then).
inline std::vector<ScriptRule> quirk_pop3_utf8_stand_in(int n, bool advertise) {
  const std::string k = std::to_string(n);
  const std::string stand_in =
      "From: Mail Delivery Subsystem <postmaster>\r\n"
      "Subject: Cannot display Unicode content\r\n"
      "Mime-Version: 1.0\r\n"
      "Content-Type: text/plain\r\n\r\n"
      "This E-mail message was determined to be Unicode-formatted\r\n"
      "but your E-mail reader does not support Unicode E-mail.\r\n";
  std::vector<ScriptRule> rows = {
      {"UTF8", "+OK UTF8 enabled\r\n", false, "", "utf8"},
      {"RETR " + k, "+OK\r\n" + pop3_multiline(stand_in), false, "!utf8"},
      {"TOP " + k + " 0", "+OK\r\n" + pop3_multiline(stand_in.substr(0, stand_in.find("\r\n\r\n") + 4)),
       false, "!utf8"},
  };
  if (advertise)
    rows.push_back({"CAPA", "+OK capabilities\r\nUSER\r\nUIDL\r\nTOP\r\nUTF8 USER\r\n.\r\n"});
  return rows;
}

}  // namespace crmr::test
