// Internal: the messages of a SOCKS5 client handshake (RFC 1928, with RFC 1929's username and
// password), for `proxy-url: socks5://[user:pass@]host:port` (client-go dials such proxies
// with golang.org/x/net/proxy). Pure functions; the connection code sends and reads them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "kubeevents/api/common/status_or.h"

namespace kube::rest::internal {

/// SOCKS5 authentication methods.
inline constexpr std::uint8_t kSocks5NoAuth = 0x00;
inline constexpr std::uint8_t kSocks5Password = 0x02;
inline constexpr std::uint8_t kSocks5NoAcceptableMethod = 0xFF;

/// The greeting: version 5 and the methods offered (no authentication, and username/password
/// when the proxy URL carries credentials).
std::string Socks5Greeting(bool offer_password);

/// The username/password sub-negotiation request; an error if either is longer than 255 bytes.
StatusOr<std::string> Socks5PasswordRequest(std::string_view user, std::string_view password);

/// The CONNECT request for `host:port`: an IPv4 or IPv6 literal as an address, any other host
/// as a domain name the proxy resolves (as Go's dialer does). Error for names over 255 bytes.
StatusOr<std::string> Socks5ConnectRequest(std::string_view host, int port);

/// The text of a CONNECT reply code (RFC 1928 §6), e.g. 5 → "connection refused".
std::string Socks5ReplyText(std::uint8_t code);

/// How many bytes of bound address and port follow the first 5 bytes of a CONNECT reply
/// (version, reply, reserved, address type, and the first address byte, which is the length
/// for a domain name). Error for an unknown address type.
StatusOr<std::size_t> Socks5ReplyRemainder(std::uint8_t address_type, std::uint8_t first_byte);

/// Splits URL userinfo "user:password" and percent-decodes both parts (as Go's net/url does).
void SplitUserinfo(std::string_view userinfo, std::string& user, std::string& password);

}  // namespace kube::rest::internal
