// kube::Status: the error value returned at every public API boundary of kubeevents.
//
// Convention (docs/errors.md): functions that can fail return Status or StatusOr<T>; nothing
// in the library throws to report a runtime failure. Exceptions are used only for programmer
// errors (e.g. calling StatusOr<T>::value() on an error, which throws StatusError).
#pragma once

#include <memory>
#include <ostream>
#include <stdexcept>
#include <string>
#include <string_view>

#include "kubeevents/api/meta/v1/status.h"

namespace kube {

/// Canonical error codes (the gRPC set, as google-cloud-cpp uses). HTTP responses from the
/// apiserver map onto these (404 → kNotFound, 409 AlreadyExists → kAlreadyExists, ...).
enum class StatusCode {
  kOk = 0,
  kCancelled = 1,
  kUnknown = 2,
  kInvalidArgument = 3,
  kDeadlineExceeded = 4,
  kNotFound = 5,
  kAlreadyExists = 6,
  kPermissionDenied = 7,
  kResourceExhausted = 8,
  kFailedPrecondition = 9,
  kAborted = 10,
  kOutOfRange = 11,
  kUnimplemented = 12,
  kInternal = 13,
  kUnavailable = 14,
  kDataLoss = 15,
  kUnauthenticated = 16,
};

/// The name of a code, e.g. "NOT_FOUND".
std::string_view StatusCodeName(StatusCode code);

/// Where an error came from. client-go's recordToSink decides whether to retry by this
/// classification, so it is part of the error rather than guessed from the code.
enum class ErrorOrigin {
  kNone,             ///< success
  kLocal,            ///< a plain error produced in this process (e.g. a sink's namespace check)
  kRequestBuilding,  ///< the request could not be built (client-go RequestConstructionError)
  kTransport,        ///< connect/TLS/read/write/timeout failure: the server may not have seen it
  kAPIServer,        ///< the apiserver answered with an error response (api_status() holds it)
  kDecode,           ///< the response could not be decoded into the expected object
};

/// An error code, message and origin; for server rejections also the metav1.Status body.
/// Cheap to copy (the Status body is shared).
class Status {
 public:
  /// An OK status.
  Status() = default;
  /// An error (or OK when code is kOk) with a message, of local origin unless told otherwise.
  Status(StatusCode code, std::string message, ErrorOrigin origin = ErrorOrigin::kLocal);

  /// An apiserver rejection: code derived from the HTTP code and reason, body kept.
  static Status FromAPIStatus(api::meta::v1::Status body, int http_code);

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  ErrorOrigin origin() const { return origin_; }
  /// The apiserver's metav1.Status, or null when the error did not come from the server.
  const api::meta::v1::Status* api_status() const { return api_status_.get(); }
  /// The HTTP status code of a server rejection (0 otherwise).
  int http_code() const { return http_code_; }

  /// "NOT_FOUND: events \"x\" not found".
  std::string ToString() const;

  friend bool operator==(const Status& a, const Status& b);
  friend std::ostream& operator<<(std::ostream& os, const Status& s) { return os << s.ToString(); }

 private:
  StatusCode code_ = StatusCode::kOk;
  ErrorOrigin origin_ = ErrorOrigin::kNone;
  int http_code_ = 0;
  std::string message_;
  std::shared_ptr<const api::meta::v1::Status> api_status_;
};

/// Thrown only by StatusOr<T>::value() on an error, for callers who prefer exceptions.
class StatusError : public std::runtime_error {
 public:
  explicit StatusError(Status status)
      : std::runtime_error(status.ToString()), status_(std::move(status)) {}
  const Status& status() const { return status_; }

 private:
  Status status_;
};

/// Shorthands used throughout the library.
Status InvalidArgumentError(std::string message);
Status InternalError(std::string message);
Status UnavailableError(std::string message);
Status CancelledError(std::string message);
Status NotFoundError(std::string message);
Status FailedPreconditionError(std::string message);

}  // namespace kube
