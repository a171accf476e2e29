#include "kubeevents/client/rest/internal/socks5.h"

#include <boost/asio/ip/address.hpp>

#include "kubeevents/api/common/format.h"

namespace kube::rest::internal {

namespace {

constexpr std::uint8_t kVersion = 0x05;
constexpr std::uint8_t kPasswordVersion = 0x01;
constexpr std::uint8_t kConnect = 0x01;
constexpr std::uint8_t kIPv4 = 0x01;
constexpr std::uint8_t kDomain = 0x03;
constexpr std::uint8_t kIPv6 = 0x04;

void AppendPort(std::string& out, int port) {
  out.push_back(static_cast<char>((port >> 8) & 0xFF));
  out.push_back(static_cast<char>(port & 0xFF));
}

}  // namespace

std::string Socks5Greeting(bool offer_password) {
  std::string out;
  out.push_back(static_cast<char>(kVersion));
  if (offer_password) {
    out.push_back(2);
    out.push_back(static_cast<char>(kSocks5NoAuth));
    out.push_back(static_cast<char>(kSocks5Password));
  } else {
    out.push_back(1);
    out.push_back(static_cast<char>(kSocks5NoAuth));
  }
  return out;
}

StatusOr<std::string> Socks5PasswordRequest(std::string_view user, std::string_view password) {
  if (user.empty() || user.size() > 255 || password.size() > 255) {
    return InvalidArgumentError(
        "socks5 proxy: the user name must be 1 to 255 bytes and the password at most 255");
  }
  std::string out;
  out.push_back(static_cast<char>(kPasswordVersion));
  out.push_back(static_cast<char>(user.size()));
  out.append(user);
  out.push_back(static_cast<char>(password.size()));
  out.append(password);
  return out;
}

StatusOr<std::string> Socks5ConnectRequest(std::string_view host, int port) {
  if (port <= 0 || port > 65535) {
    return InvalidArgumentError("socks5 proxy: bad port " + std::to_string(port));
  }
  std::string out;
  out.push_back(static_cast<char>(kVersion));
  out.push_back(static_cast<char>(kConnect));
  out.push_back(0);  // reserved
  boost::system::error_code ec;
  const auto address = boost::asio::ip::make_address(std::string(host), ec);
  if (!ec && address.is_v4()) {
    out.push_back(static_cast<char>(kIPv4));
    for (auto b : address.to_v4().to_bytes()) out.push_back(static_cast<char>(b));
  } else if (!ec && address.is_v6()) {
    out.push_back(static_cast<char>(kIPv6));
    for (auto b : address.to_v6().to_bytes()) out.push_back(static_cast<char>(b));
  } else {
    if (host.empty() || host.size() > 255) {
      return InvalidArgumentError("socks5 proxy: host name \"" + std::string(host) +
                                  "\" must be 1 to 255 bytes");
    }
    out.push_back(static_cast<char>(kDomain));
    out.push_back(static_cast<char>(host.size()));
    out.append(host);
  }
  AppendPort(out, port);
  return out;
}

std::string Socks5ReplyText(std::uint8_t code) {
  switch (code) {
    case 0x00:
      return "succeeded";
    case 0x01:
      return "general SOCKS server failure";
    case 0x02:
      return "connection not allowed by ruleset";
    case 0x03:
      return "network unreachable";
    case 0x04:
      return "host unreachable";
    case 0x05:
      return "connection refused";
    case 0x06:
      return "TTL expired";
    case 0x07:
      return "command not supported";
    case 0x08:
      return "address type not supported";
    default:
      return "unknown code " + std::to_string(code);
  }
}

StatusOr<std::size_t> Socks5ReplyRemainder(std::uint8_t address_type, std::uint8_t first_byte) {
  // The first address byte was read with the header; 2 bytes of port follow the address.
  switch (address_type) {
    case kIPv4:
      return std::size_t{4 - 1 + 2};
    case kIPv6:
      return std::size_t{16 - 1 + 2};
    case kDomain:
      return std::size_t{first_byte} + 2;
    default:
      return Status(StatusCode::kUnavailable, "socks5 proxy: unknown address type " +
                                                  std::to_string(address_type) + " in reply");
  }
}

void SplitUserinfo(std::string_view userinfo, std::string& user, std::string& password) {
  const auto colon = userinfo.find(':');
  user = PercentDecode(userinfo.substr(0, colon));
  password =
      colon == std::string_view::npos ? std::string() : PercentDecode(userinfo.substr(colon + 1));
}

}  // namespace kube::rest::internal
