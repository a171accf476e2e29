#include "kubeevents/client/rest/internal/url.h"

#include <arpa/inet.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <sstream>

namespace kube::rest::internal {

namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

int DefaultPort(std::string_view scheme) {
  if (scheme == "https") return 443;
  if (scheme == "http") return 80;
  if (scheme == "socks5") return 1080;
  return 0;
}

}  // namespace

std::string URL::HostHeader() const {
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  if (explicit_port) h += ":" + std::to_string(port);
  return h;
}

std::string URL::Authority() const {
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return h + ":" + std::to_string(port);
}

StatusOr<URL> ParseURL(std::string_view text, std::string_view default_scheme) {
  URL u;
  std::string_view rest = text;
  if (auto pos = rest.find("://"); pos != std::string_view::npos) {
    u.scheme = Lower(rest.substr(0, pos));
    rest.remove_prefix(pos + 3);
  } else if (!default_scheme.empty()) {
    u.scheme = std::string(default_scheme);
  } else {
    return InvalidArgumentError("URL \"" + std::string(text) + "\" has no scheme");
  }
  if (u.scheme.empty())
    return InvalidArgumentError("URL \"" + std::string(text) + "\" has no scheme");
  std::string_view authority = rest;
  std::string_view path;
  if (auto pos = rest.find_first_of("/?#"); pos != std::string_view::npos) {
    authority = rest.substr(0, pos);
    path = rest.substr(pos);
    if (auto q = path.find_first_of("?#"); q != std::string_view::npos) path = path.substr(0, q);
  }
  if (auto at = authority.rfind('@'); at != std::string_view::npos) {
    u.userinfo = std::string(authority.substr(0, at));
    authority.remove_prefix(at + 1);
  }
  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    auto close = authority.find(']');
    if (close == std::string_view::npos) {
      return InvalidArgumentError("URL \"" + std::string(text) + "\": missing ']' in host");
    }
    u.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') {
        return InvalidArgumentError("URL \"" + std::string(text) + "\": invalid port");
      }
      port_text = after.substr(1);
    }
  } else {
    auto colon = authority.rfind(':');
    if (colon != std::string_view::npos) {
      if (authority.find(':') != colon) {
        return InvalidArgumentError("URL \"" + std::string(text) +
                                    "\": IPv6 addresses must be in brackets");
      }
      u.host = std::string(authority.substr(0, colon));
      port_text = authority.substr(colon + 1);
    } else {
      u.host = std::string(authority);
    }
  }
  if (u.host.empty()) return InvalidArgumentError("URL \"" + std::string(text) + "\" has no host");
  if (!port_text.empty()) {
    int port = 0;
    auto [p, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || p != port_text.data() + port_text.size() || port <= 0 ||
        port > 65535) {
      return InvalidArgumentError("URL \"" + std::string(text) + "\": invalid port \"" +
                                  std::string(port_text) + "\"");
    }
    u.port = port;
    u.explicit_port = true;
  } else {
    u.port = DefaultPort(u.scheme);
  }
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  u.path = std::string(path);
  return u;
}

bool IsIPLiteral(std::string_view host) {
  std::string h(host);
  unsigned char buf[16];
  return inet_pton(AF_INET, h.c_str(), buf) == 1 || inet_pton(AF_INET6, h.c_str(), buf) == 1;
}

bool IsLoopbackHost(std::string_view host) {
  if (Lower(host) == "localhost") return true;
  std::string h(host);
  unsigned char buf[16];
  if (inet_pton(AF_INET, h.c_str(), buf) == 1) return buf[0] == 127;
  if (inet_pton(AF_INET6, h.c_str(), buf) == 1) {
    static constexpr unsigned char kLoop[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    return std::memcmp(buf, kLoop, 16) == 0;
  }
  return false;
}

StatusOr<std::string> DecodeBase64(std::string_view text) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::string clean;
  clean.reserve(text.size());
  for (char c : text) {
    if (c != '\r' && c != '\n') clean.push_back(c);
  }
  if (clean.size() % 4 != 0) {
    return InvalidArgumentError("illegal base64 data at input byte " +
                                std::to_string(clean.size() / 4 * 4));
  }
  std::string out;
  out.reserve(clean.size() / 4 * 3);
  for (std::size_t i = 0; i < clean.size(); i += 4) {
    int v[4];
    int pad = 0;
    for (int j = 0; j < 4; ++j) {
      char c = clean[i + static_cast<std::size_t>(j)];
      if (c == '=' && j >= 2 && i + 4 == clean.size()) {
        v[j] = 0;
        ++pad;
        continue;
      }
      if (pad > 0 || (v[j] = value(c)) < 0) {
        return InvalidArgumentError("illegal base64 data at input byte " +
                                    std::to_string(i + static_cast<std::size_t>(j)));
      }
    }
    const unsigned n = (static_cast<unsigned>(v[0]) << 18) | (static_cast<unsigned>(v[1]) << 12) |
                       (static_cast<unsigned>(v[2]) << 6) | static_cast<unsigned>(v[3]);
    out.push_back(static_cast<char>((n >> 16) & 0xff));
    if (pad < 2) out.push_back(static_cast<char>((n >> 8) & 0xff));
    if (pad < 1) out.push_back(static_cast<char>(n & 0xff));
  }
  return out;
}

std::string EncodeBase64(std::string_view data) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < data.size(); i += 3) {
    const unsigned n = (static_cast<unsigned char>(data[i]) << 16) |
                       (static_cast<unsigned char>(data[i + 1]) << 8) |
                       static_cast<unsigned char>(data[i + 2]);
    out.push_back(kAlphabet[(n >> 18) & 63]);
    out.push_back(kAlphabet[(n >> 12) & 63]);
    out.push_back(kAlphabet[(n >> 6) & 63]);
    out.push_back(kAlphabet[n & 63]);
  }
  if (i < data.size()) {
    unsigned n = static_cast<unsigned char>(data[i]) << 16;
    if (i + 1 < data.size()) n |= static_cast<unsigned char>(data[i + 1]) << 8;
    out.push_back(kAlphabet[(n >> 18) & 63]);
    out.push_back(kAlphabet[(n >> 12) & 63]);
    out.push_back(i + 1 < data.size() ? kAlphabet[(n >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

std::string EscapeURLComponent(std::string_view s, bool query) {
  return PercentEncode(s, [query](unsigned char c) {
    const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
    return unreserved || (!query && (c == ':' || c == '@'));
  });
}

StatusOr<std::string> ReadFile(const std::string& path, std::size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int err = errno;
    std::string msg = "open " + path + ": " + std::strerror(err);
    if (err == ENOENT) return NotFoundError(std::move(msg));
    return FailedPreconditionError(std::move(msg));
  }
  // Read in blocks up to one byte past the limit: works for pipes and device files, whose
  // size is not known in advance, and stops an endless one.
  std::string out;
  char block[64 * 1024];
  while (in && out.size() <= max_bytes) {
    in.read(block, sizeof block);
    out.append(block, static_cast<std::size_t>(in.gcount()));
  }
  if (in.bad()) return FailedPreconditionError("read " + path + ": I/O error");
  if (out.size() > max_bytes) {
    return FailedPreconditionError("read " + path + ": the file is larger than " +
                                   std::to_string(max_bytes >> 20) + " MiB");
  }
  return out;
}

}  // namespace kube::rest::internal
