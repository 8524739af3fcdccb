// iconv implementation of charset_backend.h (glibc, or GNU libiconv).
#include <iconv.h>

#include <algorithm>
#include <cerrno>
#include <unordered_map>

#include "core/mime/charset_backend.h"

namespace crmr {
namespace {

// Per-thread cache of iconv descriptors to UTF-8, keyed by iconv name; a
// failed iconv_open is cached too (as nullptr) so unknown labels stay cheap.
class IconvCache {
 public:
  ~IconvCache() { clear(); }
  iconv_t get(const std::string& name) {
    auto it = cds_.find(name);
    if (it != cds_.end()) return it->second;
    iconv_t cd = iconv_open("UTF-8", name.c_str());
    iconv_t stored = cd == reinterpret_cast<iconv_t>(-1) ? nullptr : cd;
    // Full (hostile mail naming many charsets): start over, so every open
    // descriptor stays owned by the cache and is closed.
    if (cds_.size() >= 256) clear();
    cds_.emplace(name, stored);
    return stored;
  }

 private:
  void clear() {
    for (auto& [name, cd] : cds_)
      if (cd != nullptr) iconv_close(cd);
    cds_.clear();
  }

  std::unordered_map<std::string, iconv_t> cds_;
};

IconvCache& iconv_cache() {
  thread_local IconvCache cache;
  return cache;
}

// Convert with iconv; an invalid or incomplete sequence becomes U+FFFD and the
// conversion goes on after one byte. Returns false if any byte was replaced.
bool iconv_convert(iconv_t cd, std::string_view in, std::string& out) {
  iconv(cd, nullptr, nullptr, nullptr, nullptr);  // reset shift state
  bool clean = true;
  out.clear();
  out.resize(in.size() * 2 + 16);
  char* src = const_cast<char*>(in.data());
  std::size_t src_left = in.size();
  std::size_t used = 0;
  while (true) {
    char* dst = out.data() + used;
    std::size_t dst_left = out.size() - used;
    std::size_t r = src_left == 0 ? iconv(cd, nullptr, nullptr, &dst, &dst_left)
                                  : iconv(cd, &src, &src_left, &dst, &dst_left);
    used = out.size() - dst_left;
    if (r != static_cast<std::size_t>(-1)) {
      if (src_left == 0) break;
      continue;
    }
    if (errno == E2BIG) {
      out.resize(out.size() * 2);
      continue;
    }
    // EILSEQ or EINVAL: skip one byte, mark it.
    clean = false;
    out.resize(std::max(out.size(), used + 3 + src_left * 2 + 16));
    out[used++] = char(0xEF);
    out[used++] = char(0xBF);
    out[used++] = char(0xBD);
    if (src_left == 0) break;
    ++src;
    --src_left;
    iconv(cd, nullptr, nullptr, nullptr, nullptr);
  }
  out.resize(used);
  return clean;
}

}  // namespace

std::optional<Converted> convert_to_utf8(const std::string& name, std::string_view bytes) {
  iconv_t cd = iconv_cache().get(name);
  if (cd == nullptr) return std::nullopt;
  Converted c;
  c.clean = iconv_convert(cd, bytes, c.text);
  return c;
}

}  // namespace crmr
