// Message: a parsed e-mail as a plain value type. Produced by mime_parser,
// read by the decision and the report. Owns all its strings.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace crmr {

struct Address {
  std::string name;     // display name, decoded to UTF-8 (may be empty)
  std::string address;  // addr-spec as written, e.g. "Jane.Doe@Example.com"
};

struct Attachment {
  std::string filename;      // decoded UTF-8 (RFC 2231/2047); may be empty
  std::string content_type;  // lowercase "type/subtype"
  std::string content_id;    // without angle brackets; empty if none
  bool is_inline = false;    // Content-Disposition: inline (or a cid-referenced part)
  std::uint64_t size = 0;    // decoded size in bytes
  std::string data;          // decoded bytes; for message/rfc822 the raw inner message
};

struct Header {
  std::string name;   // as written, e.g. "X-Autoreply"
  std::string value;  // unfolded raw value (not decoded)
};

struct Message {
  // Identity and threading. Ids are normalised (see address.h
  // normalize_message_id): no angle brackets, no surrounding space.
  std::string message_id;
  std::vector<std::string> in_reply_to;
  std::vector<std::string> references;
  std::string thread_index;  // Thread-Index header value (base64), as written

  std::optional<std::int64_t> date;  // Date header as Unix seconds UTC
  std::string date_raw;              // Date header as written

  std::vector<Address> from, sender, reply_to, to, cc, bcc;
  std::string subject;  // decoded UTF-8

  std::string text_body;  // UTF-8
  std::string html_body;  // UTF-8
  std::vector<Attachment> attachments;

  // Hygiene headers (raw values, empty when absent).
  std::string auto_submitted;
  std::string precedence;
  std::string x_autoreply;
  std::string x_auto_response_suppress;
  bool is_delivery_status = false;  // multipart/report; report-type=delivery-status, or a
                                    // message/delivery-status part
  int priority = 1;                 // 0 low, 1 normal, 2 high (Importance / X-Priority)

  std::vector<Header> headers;  // every top-level header, in order
  std::vector<std::string> warnings;  // non-fatal parse problems, human readable
  std::uint64_t raw_size = 0;
};

}  // namespace crmr
