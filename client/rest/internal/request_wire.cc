#include "kubeevents/client/rest/internal/request_wire.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace kube::rest::internal {

namespace {

// RFC 9110 §5.6.2 tchar: ALPHA, DIGIT and !#$%&'*+-.^_`|~
bool IsTokenChar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
      return true;
    default:
      return false;
  }
}

constexpr std::string_view kCRLF = "\r\n";

}  // namespace

bool IsHeaderToken(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    if (!IsTokenChar(c)) return false;
  }
  return true;
}

bool IsHeaderValue(std::string_view value) {
  // Go's httpguts.ValidHeaderFieldValue, which net/http checks before it sends: no control
  // byte (below 0x20, or DEL) except horizontal tab.
  for (char c : value) {
    const auto b = static_cast<unsigned char>(c);
    if ((b < 0x20 && b != '\t') || b == 0x7f) return false;
  }
  return true;
}

bool SameFieldName(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

bool IsFramingField(std::string_view name) {
  return SameFieldName(name, "Content-Length") || SameFieldName(name, "Transfer-Encoding") ||
         SameFieldName(name, "Trailer");
}

RequestWire::RequestWire(std::string_view method, std::string_view target, std::size_t body_size)
    : length_always_(method == "POST" || method == "PUT" || method == "OPTIONS") {
  // The request line, about eight fields (a bearer token is the longest) and the body.
  out_.reserve(method.size() + target.size() + 512 + body_size);
  out_.append(method).append(1, ' ').append(target).append(" HTTP/1.1").append(kCRLF);
}

Status RequestWire::Add(std::string_view name, std::string_view value) {
  if (!IsHeaderToken(name)) {
    return Status(StatusCode::kInvalidArgument,
                  "invalid HTTP header field name \"" + std::string(name) + "\"",
                  ErrorOrigin::kRequestBuilding);
  }
  if (IsFramingField(name)) {
    return Status(StatusCode::kInvalidArgument,
                  "HTTP header field \"" + std::string(name) +
                      "\" is the request's framing, which the client sets itself",
                  ErrorOrigin::kRequestBuilding);
  }
  if (!IsHeaderValue(value)) {
    return Status(StatusCode::kInvalidArgument,
                  "invalid value of HTTP header field \"" + std::string(name) +
                      "\": it contains a control character (CR, LF, NUL, ...)",
                  ErrorOrigin::kRequestBuilding);
  }
  out_.append(name).append(": ").append(value).append(kCRLF);
  return Status();
}

std::string RequestWire::Finish(std::string_view body) && {
  if (!body.empty() || length_always_) {
    char digits[24];
    const auto end = std::to_chars(digits, digits + sizeof digits, body.size()).ptr;
    out_.append("Content-Length: ").append(digits, end).append(kCRLF);
  }
  out_.append(kCRLF).append(body);
  return std::move(out_);
}

void RequestWire::ForEachField(std::string_view request,
                               const std::function<void(std::string_view, std::string_view)>& f) {
  std::size_t at = request.find(kCRLF);  // past the request line
  while (at != std::string_view::npos) {
    at += kCRLF.size();
    const std::size_t end = request.find(kCRLF, at);
    if (end == std::string_view::npos || end == at) return;  // the blank line ends the header
    const std::string_view line = request.substr(at, end - at);
    const std::size_t colon = line.find(':');
    if (colon != std::string_view::npos) {
      std::string_view value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      f(line.substr(0, colon), value);
    }
    at = end;
  }
}

}  // namespace kube::rest::internal
