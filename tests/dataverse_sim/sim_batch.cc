#include "sim_batch.h"

#include <functional>
#include <map>

namespace crmr::sim {
namespace {

std::string boundary_of(const std::string& content_type) {
  auto at = lower(content_type).find("boundary=");
  if (at == std::string::npos) return {};
  std::string b = content_type.substr(at + 9);
  if (auto semi = b.find(';'); semi != std::string::npos) b.resize(semi);
  while (!b.empty() && (b.back() == ' ' || b.back() == '\r')) b.pop_back();
  if (b.size() >= 2 && b.front() == '"' && b.back() == '"') b = b.substr(1, b.size() - 2);
  return b;
}

// The bodies between the delimiter lines of a multipart body.
SimResult<std::vector<std::string_view>> split_multipart(std::string_view body,
                                                         const std::string& boundary) {
  const std::string delim = "--" + boundary;
  std::vector<std::string_view> parts;
  std::size_t pos = 0;
  std::size_t content_start = std::string_view::npos;
  while (true) {
    auto at = body.find(delim, pos);
    if (at == std::string_view::npos)
      return sim_fail(400, codes::kBadQuery, "multipart body ends without the closing delimiter");
    if (at != 0 && body[at - 1] != '\n') {
      pos = at + delim.size();
      continue;
    }
    if (content_start != std::string_view::npos) {
      std::size_t end = at;
      if (end > content_start && body[end - 1] == '\n') --end;
      if (end > content_start && body[end - 1] == '\r') --end;
      parts.push_back(body.substr(content_start, end - content_start));
    }
    std::size_t after = at + delim.size();
    if (body.substr(after, 2) == "--") return parts;
    auto eol = body.find('\n', after);
    if (eol == std::string_view::npos)
      return sim_fail(400, codes::kBadQuery, "truncated multipart body");
    content_start = eol + 1;
    pos = content_start;
  }
}

// Splits "headers CRLF CRLF body" (LF-only tolerated).
void split_headers(std::string_view text, HeaderMap& headers, std::string_view& body,
                   std::string* first_line) {
  bool first = first_line != nullptr;
  while (!text.empty()) {
    auto eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text.remove_prefix(eol == std::string_view::npos ? text.size() : eol + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) {
      if (first) continue;  // blank lines before the request line
      break;
    }
    if (first) {
      *first_line = std::string(line);
      first = false;
      continue;
    }
    auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string value(line.substr(colon + 1));
    value.erase(0, value.find_first_not_of(' '));
    headers[std::string(line.substr(0, colon))] = value;
  }
  body = text;
}

SimResult<BatchItem> parse_http_part(std::string_view part, const SimRequest& outer) {
  HeaderMap mime;
  std::string_view content;
  split_headers(part, mime, content, nullptr);
  if (lower(mime["Content-Type"]).find("application/http") == std::string::npos)
    return sim_fail(400, codes::kBadQuery, "a batch part must be Content-Type: application/http");
  BatchItem item;
  item.content_id = mime.count("Content-ID") ? mime["Content-ID"] : "";
  std::string line;
  std::string_view body;
  split_headers(content, item.request.headers, body, &line);
  auto sp1 = line.find(' ');
  auto sp2 = line.rfind(' ');
  if (sp1 == std::string::npos || sp2 == sp1)
    return sim_fail(400, codes::kBadQuery, "bad request line in a batch part: '" + line + "'");
  item.request.method = line.substr(0, sp1);
  std::string url = line.substr(sp1 + 1, sp2 - sp1 - 1);
  if (auto api = url.find("/api/data/v9."); api != std::string::npos) {
    auto slash = url.find('/', api + 13);
    url = slash == std::string::npos ? std::string() : url.substr(slash + 1);
  }
  std::string query;
  if (auto q = url.find('?'); q != std::string::npos) {
    query = url.substr(q + 1);
    url.resize(q);
  }
  item.request.path = percent_decode(url);
  item.request.query = parse_form(query);
  std::string b(body);
  while (!b.empty() && (b.back() == '\n' || b.back() == '\r')) b.pop_back();
  item.request.body = std::move(b);
  item.request.base_url = outer.base_url;
  if (item.content_id.empty()) item.content_id = item.request.header("Content-ID");
  return item;
}

// Replaces "$N" (a Content-ID of the change set) in the path and in
// @odata.bind values with the URL of the record that request created.
void resolve_references(SimRequest& r, const std::map<std::string, std::string>& refs) {
  if (refs.empty()) return;
  if (r.path.starts_with('$')) {
    std::size_t end = 1;
    while (end < r.path.size() && std::isalnum(static_cast<unsigned char>(r.path[end]))) ++end;
    auto it = refs.find(r.path.substr(1, end - 1));
    if (it != refs.end()) r.path = it->second + r.path.substr(end);
  }
  if (r.body.find('$') == std::string::npos) return;
  json body = json::parse(r.body, nullptr, false);
  if (body.is_discarded()) return;
  std::function<void(json&)> walk = [&](json& node) {
    if (node.is_array()) {
      for (auto& child : node) walk(child);
    } else if (node.is_object()) {
      for (auto& [k, v] : node.items()) {
        if (k.ends_with("@odata.bind") && v.is_string() && v.get<std::string>().starts_with('$')) {
          auto it = refs.find(v.get<std::string>().substr(1));
          if (it != refs.end()) v = "/" + it->second;
        } else {
          walk(v);
        }
      }
    }
  };
  walk(body);
  r.body = body.dump();
}

const char* reason(int status) {
  switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 410: return "Gone";
    case 412: return "Precondition Failed";
    case 413: return "Payload Too Large";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    default: return "Status";
  }
}

void write_part(std::string& out, const std::string& boundary, const SimResponse& r,
                const std::string& content_id) {
  out += "--" + boundary + "\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n";
  if (!content_id.empty()) out += "Content-ID: " + content_id + "\r\n";
  out += "\r\nHTTP/1.1 " + std::to_string(r.status) + " " + reason(r.status) + "\r\n";
  out += "OData-Version: 4.0\r\n";
  if (!r.body.empty()) out += "Content-Type: " + r.content_type + "\r\n";
  for (auto& [k, v] : r.headers) out += k + ": " + v + "\r\n";
  out += "\r\n" + r.body + "\r\n";
}

}  // namespace

SimResult<Batch> parse_batch(const SimRequest& outer) {
  const std::string boundary = boundary_of(outer.header("Content-Type"));
  if (lower(outer.header("Content-Type")).find("multipart/mixed") == std::string::npos ||
      boundary.empty())
    return sim_fail(400, codes::kBadQuery, "$batch needs Content-Type: multipart/mixed; boundary=...");
  auto parts = split_multipart(outer.body, boundary);
  if (!parts) return std::unexpected(parts.error());
  Batch batch;
  for (auto part : *parts) {
    HeaderMap mime;
    std::string_view content;
    split_headers(part, mime, content, nullptr);
    BatchPart bp;
    if (lower(mime["Content-Type"]).starts_with("multipart/mixed")) {
      bp.changeset = true;
      auto inner = split_multipart(content, boundary_of(mime["Content-Type"]));
      if (!inner) return std::unexpected(inner.error());
      for (auto p : *inner) {
        auto item = parse_http_part(p, outer);
        if (!item) return std::unexpected(item.error());
        bp.items.push_back(std::move(*item));
      }
    } else {
      auto item = parse_http_part(part, outer);
      if (!item) return std::unexpected(item.error());
      bp.items.push_back(std::move(*item));
    }
    batch.request_count += bp.items.size();
    batch.parts.push_back(std::move(bp));
  }
  if (batch.request_count > kMaxBatchRequests)
    return sim_fail(400, codes::kBadQuery,
                    "The number of requests in a batch (" + std::to_string(batch.request_count) +
                        ") exceeds the limit of 1000.");
  return batch;
}

SimResponse run_batch(Api& api, Batch batch, const SimRequest& outer) {
  const bool continue_on_error = outer.prefers("odata.continue-on-error");
  const std::string boundary = "batchresponse_" + new_guid();
  std::string out;
  SimStore& store = api.store();
  std::lock_guard lock(store.mutex());
  try {  // the batch's own transaction boundary: SQLite failures end it with 500
    bool failed = false;
    for (auto& part : batch.parts) {
      if (failed && !continue_on_error) break;
      if (!part.changeset) {
        store.savepoint("part");
        SimResponse r = api.handle_locked(part.items[0].request);
        if (r.status >= 400) {
          store.rollback_to("part");
          failed = true;
        } else {
          store.release("part");
        }
        write_part(out, boundary, r, part.items[0].content_id);
        continue;
      }
      store.savepoint("changeset");
      std::map<std::string, std::string> refs;
      std::vector<std::pair<SimResponse, std::string>> answers;
      bool set_failed = false;
      for (auto& item : part.items) {
        SimResponse r;
        if (item.request.method == "GET") {
          r = error_response({400, codes::kBadQuery, "GET requests are not allowed in a change set."});
        } else {
          resolve_references(item.request, refs);
          r = api.handle_locked(item.request);
        }
        set_failed = r.status >= 400;
        std::string entity = r.header("OData-EntityId");
        if (!item.content_id.empty() && entity.starts_with(outer.base_url))
          refs[item.content_id] = entity.substr(outer.base_url.size());
        answers.emplace_back(std::move(r), item.content_id);
        if (set_failed) break;
      }
      if (set_failed) {
        store.rollback_to("changeset");
        failed = true;
        if (!api.config().changeset_error_nested) {
          write_part(out, boundary, answers.back().first, answers.back().second);
          continue;
        }
      } else {
        store.release("changeset");
      }
      const std::string cs = "changesetresponse_" + new_guid();
      out += "--" + boundary + "\r\nContent-Type: multipart/mixed; boundary=" + cs + "\r\n\r\n";
      for (auto& [r, cid] : answers) write_part(out, cs, r, cid);
      out += "--" + cs + "--\r\n";
    }
  } catch (const StoreFailure& e) {
    return error_response({500, codes::kUnexpected, std::string("store failure: ") + e.what()});
  }
  out += "--" + boundary + "--\r\n";
  SimResponse response;
  response.status = 200;
  response.body = std::move(out);
  response.content_type = "multipart/mixed; boundary=" + boundary;
  return response;
}

}  // namespace crmr::sim
