// Internal: the small URL grammar kubeconfigs use (server and proxy-url), base64 as Go's
// StdEncoding decodes it, and host classification helpers. Not installed.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "kubeevents/api/common/status_or.h"

namespace kube::rest::internal {

/// scheme://[userinfo@]host[:port][/path]; IPv6 hosts in brackets (stored without them).
struct URL {
  std::string scheme;  ///< lower case: "http", "https", "socks5", ...
  std::string userinfo;
  std::string host;  ///< no brackets
  int port = 0;      ///< explicit or the scheme's default
  bool explicit_port = false;
  std::string path;  ///< without trailing '/', may be empty

  /// host:port as used in the Host header and CONNECT (brackets for IPv6; the port only when
  /// given explicitly, as Go does).
  std::string HostHeader() const;
  /// host:port with the port always present.
  std::string Authority() const;
};

/// Parses a URL. `default_scheme` is used when the text has no "://".
StatusOr<URL> ParseURL(std::string_view text, std::string_view default_scheme = "");

/// Whether `host` is an IPv4 or IPv6 literal (no brackets).
bool IsIPLiteral(std::string_view host);
/// Whether `host` is "localhost", 127.0.0.0/8 or ::1.
bool IsLoopbackHost(std::string_view host);

/// Decodes base64 exactly as Go's base64.StdEncoding does inside encoding/json and clientcmd:
/// '\r' and '\n' are ignored, padding is required, anything else is an error.
StatusOr<std::string> DecodeBase64(std::string_view text);
/// Standard base64 with padding.
std::string EncodeBase64(std::string_view data);

/// Percent-encodes a path segment or query component (RFC 3986 unreserved kept).
std::string EscapeURLComponent(std::string_view s, bool query);

/// `s` with every byte for which `keep(byte)` is false written as %XX (upper-case hex): the
/// loop under EscapeURLComponent and the header-key escape, which keep different bytes.
template <typename Keep>
std::string PercentEncode(std::string_view s, Keep keep) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (keep(c)) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

/// Largest file ReadFile accepts: kubeconfigs, CA bundles, certificates, keys and tokens are
/// kilobytes; a path that names /dev/zero or a log file must fail, not fill memory.
inline constexpr std::size_t kMaxCredentialFileBytes = std::size_t{16} << 20;

/// Reads a whole file of at most `max_bytes`. Errors are kNotFound / kPermissionDenied-like
/// kFailedPrecondition with the path and strerror, and kFailedPrecondition "… is larger than
/// 16 MiB" for a bigger (or endless) file.
StatusOr<std::string> ReadFile(const std::string& path,
                               std::size_t max_bytes = kMaxCredentialFileBytes);

}  // namespace kube::rest::internal
