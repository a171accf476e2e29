// Internal: an HTTP/1.1 request as the bytes that go on the wire — request line, header
// fields, blank line and body — built in one buffer. A small request (every event write) then
// leaves in one write: one TLS record, one send. Beast's serializer, which this replaces for
// requests, walks a chain of buffer views and allocates a node per header field; for a 1 KiB
// event POST that was about a sixth of the client's instructions.
//
// Header fields are checked as they are added, as Go's net/http checks them before it sends
// (RFC 9110 §5.1, §5.5): a name must be a token and a value must hold no control byte but
// tab, so that no header value — from a caller, a token file or a credential plugin — can end
// the header early and inject fields of its own.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "kubeevents/api/common/status.h"

namespace kube::rest::internal {

/// Builds one request: construct with the request line, Add the fields, then Finish.
class RequestWire {
 public:
  /// Starts "METHOD target HTTP/1.1". `body_size` reserves room for the body up front.
  RequestWire(std::string_view method, std::string_view target, std::size_t body_size);

  /// Appends the field `name: value`. A kRequestBuilding error, naming the field (not its
  /// value, which may be a credential), when the name is not a token, is a framing field
  /// (Content-Length, Transfer-Encoding, Trailer: Finish writes the framing), or the value
  /// holds a control byte other than tab (CR, LF, NUL, ...); nothing is appended then.
  Status Add(std::string_view name, std::string_view value);

  /// Ends the header — with Content-Length when the body is not empty or the method is POST,
  /// PUT or OPTIONS (what Beast's prepare_payload did) — and appends the body. Returns the
  /// whole request; the builder is spent.
  std::string Finish(std::string_view body) &&;

  /// Calls `f(name, value)` for each field of a request Finish returned, in order (for the
  /// request-header log).
  static void ForEachField(std::string_view request,
                           const std::function<void(std::string_view, std::string_view)>& f);

 private:
  bool length_always_;  // POST, PUT, OPTIONS: Content-Length even for an empty body
  std::string out_;
};

/// Whether two header field names are the same name (they compare without regard to case).
bool SameFieldName(std::string_view a, std::string_view b);

/// Whether `name` is an HTTP token (RFC 9110 §5.6.2): what a field name must be.
bool IsHeaderToken(std::string_view name);

/// Whether `name` is one of the fields that frame the body (Content-Length,
/// Transfer-Encoding, Trailer; any case), which Go's client never takes from a request's
/// headers either.
bool IsFramingField(std::string_view name);

/// Whether `value` may be sent as a field value: no control byte (< 0x20, 0x7f) but tab.
bool IsHeaderValue(std::string_view value);

}  // namespace kube::rest::internal
