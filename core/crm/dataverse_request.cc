#include "core/crm/dataverse_request.h"

#include <cctype>
#include <cstdio>
#include <map>

#include "core/base/ascii.h"

namespace crmr::dataverse {
namespace {

Error bad_response(std::string_view what, const std::string& why) {
  return Error{Code::CrmBadResponse,
               std::string(what) + ": the CRM's answer is not valid: " + why,
               "the message stays queued; check the Web API URL ([crm] url) and retry",
               Scope::Message, Retry::Later};
}

// Header block of `text` (up to the first empty line) and what follows.
std::pair<std::vector<std::pair<std::string, std::string>>, std::string_view> split_headers(
    std::string_view text) {
  std::vector<std::pair<std::string, std::string>> headers;
  std::size_t at = 0;
  while (at <= text.size()) {
    auto nl = text.find('\n', at);
    std::string_view line = text.substr(at, nl == std::string_view::npos ? nl : nl - at);
    std::size_t next = nl == std::string_view::npos ? text.size() : nl + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    at = next;
    if (line.empty()) break;
    auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    headers.emplace_back(ascii_lower(trim(line.substr(0, colon))), std::string(trim(line.substr(colon + 1))));
    if (nl == std::string_view::npos) break;
  }
  return {std::move(headers), text.substr(std::min(at, text.size()))};
}

std::string find_header(const std::vector<std::pair<std::string, std::string>>& h,
                        std::string_view name) {
  std::string key = ascii_lower(name);
  for (const auto& [k, v] : h)
    if (k == key) return v;
  return {};
}

// The bodies of the parts of a multipart entity with `boundary`.
Result<std::vector<std::string_view>> split_multipart(std::string_view body,
                                                      std::string_view boundary,
                                                      std::string_view what) {
  std::vector<std::string_view> parts;
  const std::string delim = "--" + std::string(boundary);
  std::size_t pos = 0;
  std::size_t part_start = std::string_view::npos;
  bool closed = false;
  while (pos <= body.size()) {
    auto nl = body.find('\n', pos);
    std::size_t end = nl == std::string_view::npos ? body.size() : nl;
    std::string_view line = body.substr(pos, end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.size() >= delim.size() && line.substr(0, delim.size()) == delim) {
      std::string_view rest = trim(line.substr(delim.size()));
      if (rest.empty() || rest == "--") {
        if (part_start != std::string_view::npos) {
          // The line break before the delimiter belongs to the delimiter.
          std::size_t stop = pos;
          if (stop > part_start && body[stop - 1] == '\n') --stop;
          if (stop > part_start && body[stop - 1] == '\r') --stop;
          parts.push_back(body.substr(part_start, stop - part_start));
        }
        if (rest == "--") {
          closed = true;
          break;
        }
        part_start = nl == std::string_view::npos ? body.size() : nl + 1;
      }
    }
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
  if (!closed) return std::unexpected(bad_response(what, "multipart body without its closing boundary"));
  return parts;
}

Status parse_parts(std::string_view content_type, std::string_view body, std::string_view what,
                   int depth, std::vector<BatchPart>& out) {
  if (depth > 2) return std::unexpected(bad_response(what, "multipart nested too deeply"));
  std::string boundary = content_type_param(content_type, "boundary");
  if (boundary.empty())
    return std::unexpected(bad_response(what, "multipart answer without a boundary"));
  auto parts = split_multipart(body, boundary, what);
  if (!parts) return std::unexpected(parts.error());
  for (std::string_view part : *parts) {
    auto [headers, content] = split_headers(part);
    std::string type = ascii_lower(find_header(headers, "content-type"));
    if (type.rfind("multipart/", 0) == 0) {
      if (auto s = parse_parts(find_header(headers, "content-type"), content, what, depth + 1, out); !s)
        return s;
      continue;
    }
    BatchPart bp;
    bp.content_id = find_header(headers, "content-id");
    // An application/http part: status line, headers, blank line, body.
    auto nl = content.find('\n');
    std::string_view status_line = trim(content.substr(0, nl));
    std::string_view after = nl == std::string_view::npos ? std::string_view{} : content.substr(nl + 1);
    auto [inner_headers, inner_body] = split_headers(after);
    if (status_line.rfind("HTTP/", 0) != 0)
      return std::unexpected(bad_response(what, "a $batch part without an HTTP status line"));
    auto sp = status_line.find(' ');
    if (sp == std::string_view::npos ||
        std::sscanf(std::string(status_line.substr(sp + 1)).c_str(), "%d", &bp.status) != 1)
      return std::unexpected(bad_response(what, "a $batch part with a bad status line"));
    bp.headers = std::move(inner_headers);
    bp.body = std::string(inner_body);
    while (!bp.body.empty() && (bp.body.back() == '\n' || bp.body.back() == '\r')) bp.body.pop_back();
    out.push_back(std::move(bp));
  }
  return {};
}

}  // namespace

std::string odata_string(std::string_view value) {
  std::string out = "'";
  for (char c : value) {
    out += c;
    if (c == '\'') out += '\'';
  }
  out += '\'';
  return out;
}

std::string url_encode(std::string_view value) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  out.reserve(value.size() * 3);
  for (unsigned char c : value) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

std::string entity_set(std::string_view logical_name) {
  static const std::map<std::string, std::string, std::less<>> known = {
      {"activitypointer", "activitypointers"}, {"opportunity", "opportunities"},
      {"incident", "incidents"}, {"systemuser", "systemusers"}, {"queue", "queues"},
      {"contact", "contacts"}, {"account", "accounts"}, {"lead", "leads"},
      {"email", "emails"}, {"usersettings", "usersettingscollection"}};
  if (auto it = known.find(logical_name); it != known.end()) return it->second;
  std::string name(logical_name);
  if (name.empty()) return name;
  if (name.back() == 'y' && name.size() > 1 && !std::string_view("aeiou").contains(name[name.size() - 2]))
    return name.substr(0, name.size() - 1) + "ies";
  if (name.back() == 's' || name.back() == 'x' || name.ends_with("ch") || name.ends_with("sh"))
    return name + "es";
  return name + "s";
}

std::string message_id_query(std::string_view message_id) {
  return "emails?$select=activityid&$filter=" +
         url_encode("messageid eq " + odata_string(message_id)) + "&$top=1";
}

Result<nlohmann::json> parse_json(std::string_view body, std::string_view what) {
  // The one place JSON parse exceptions of CRM answers are caught.
  try {
    return nlohmann::json::parse(body);
  } catch (const nlohmann::json::exception& e) {
    std::string start(body.substr(0, 120));
    return std::unexpected(bad_response(
        what, std::string("invalid JSON (") + e.what() + "), starting \"" + start + "\""));
  }
}

Result<nlohmann::json> parse_json_rows(std::string_view body, std::string_view what,
                                       const std::function<void(const nlohmann::json&)>& row) {
  using Event = nlohmann::json::parse_event_t;
  std::string key;  // the top-level key being read
  try {
    return nlohmann::json::parse(body, [&](int depth, Event event, nlohmann::json& parsed) {
      if (depth == 1 && event == Event::key) key = parsed.get<std::string>();
      if (depth != 2 || key != "value" || (event != Event::object_end && event != Event::value))
        return true;
      row(parsed);
      return false;  // not kept in the page
    });
  } catch (const nlohmann::json::exception& e) {
    std::string start(body.substr(0, 120));
    return std::unexpected(bad_response(
        what, std::string("invalid JSON (") + e.what() + "), starting \"" + start + "\""));
  }
}

std::string error_text(std::string_view body) {
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (!j.is_discarded() && j.is_object() && j.contains("error") && j["error"].is_object()) {
    const auto& e = j["error"];
    // Only strings are taken: e.value() would throw on {"code": 5}.
    std::string code = e.contains("code") && e["code"].is_string()
                           ? e["code"].get<std::string>() : std::string{};
    std::string msg = e.contains("message") && e["message"].is_string()
                          ? e["message"].get<std::string>() : std::string{};
    if (!code.empty() && !msg.empty()) return code + ": " + msg;
    return code.empty() ? msg : code;
  }
  std::string text(body.substr(0, 300));
  for (char& c : text)
    if (c == '\r' || c == '\n') c = ' ';
  return text;
}

std::string id_from_entity_url(std::string_view url) {
  auto close = url.rfind(')');
  if (close == std::string_view::npos) return {};
  auto open = url.rfind('(', close);
  if (open == std::string_view::npos) return {};
  std::string_view id = url.substr(open + 1, close - open - 1);
  if (id.size() >= 2 && id.front() == '\'' && id.back() == '\'') id = id.substr(1, id.size() - 2);
  return std::string(id);
}

Result<Token> parse_token(std::string_view body) {
  auto j = parse_json(body, "token request");
  if (!j) return std::unexpected(j.error());
  if (!j->is_object() || !j->contains("access_token") || !(*j)["access_token"].is_string())
    return std::unexpected(bad_response("token request", "no access_token in the answer"));
  Token t;
  t.access_token = (*j)["access_token"].get<std::string>();
  if (j->contains("expires_in")) {
    const auto& e = (*j)["expires_in"];
    if (e.is_number()) t.expires_in_s = e.get<long>();
    else if (e.is_string()) t.expires_in_s = std::atol(e.get<std::string>().c_str());
  }
  if (t.expires_in_s <= 0) t.expires_in_s = 3600;
  return t;
}

std::string batch_content_type(std::string_view id) {
  return "multipart/mixed; boundary=batch_" + std::string(id);
}

std::string batch_body(const std::vector<BatchRequest>& requests, std::string_view id) {
  const std::string batch = "batch_" + std::string(id);
  const std::string changeset = "changeset_" + std::string(id);
  std::string out;
  out += "--" + batch + "\r\n";
  out += "Content-Type: multipart/mixed; boundary=" + changeset + "\r\n\r\n";
  for (const auto& r : requests) {
    out += "--" + changeset + "\r\n";
    out += "Content-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n";
    if (!r.content_id.empty()) out += "Content-ID: " + r.content_id + "\r\n";
    out += "\r\n";
    out += r.method + " " + r.url + " HTTP/1.1\r\n";
    out += "Content-Type: application/json; charset=utf-8\r\n\r\n";
    out += r.body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    out += "\r\n";
  }
  out += "--" + changeset + "--\r\n";
  out += "--" + batch + "--\r\n";
  return out;
}

std::string BatchPart::header(std::string_view name) const { return find_header(headers, name); }

Result<std::vector<BatchPart>> parse_batch_response(std::string_view content_type,
                                                    std::string_view body,
                                                    std::string_view what) {
  std::vector<BatchPart> out;
  if (auto s = parse_parts(content_type, body, what, 0, out); !s) return std::unexpected(s.error());
  return out;
}

std::string content_type_param(std::string_view content_type, std::string_view name) {
  std::string lowered = ascii_lower(content_type);
  std::string key = ascii_lower(name) + "=";
  std::size_t at = 0;
  while ((at = lowered.find(key, at)) != std::string::npos) {
    bool starts = at == 0 || lowered[at - 1] == ';' || lowered[at - 1] == ' ' || lowered[at - 1] == '\t';
    if (!starts) {
      at += key.size();
      continue;
    }
    std::string_view v = content_type.substr(at + key.size());
    if (!v.empty() && v.front() == '"') {
      auto q = v.find('"', 1);
      return std::string(v.substr(1, q == std::string_view::npos ? v.size() - 1 : q - 1));
    }
    auto semi = v.find(';');
    return std::string(trim(v.substr(0, semi)));
  }
  return {};
}

}  // namespace crmr::dataverse
