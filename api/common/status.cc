#include "kubeevents/api/common/status.h"

#include <utility>

namespace kube {

std::string_view StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return "OK";
    case StatusCode::kCancelled:
      return "CANCELLED";
    case StatusCode::kUnknown:
      return "UNKNOWN";
    case StatusCode::kInvalidArgument:
      return "INVALID_ARGUMENT";
    case StatusCode::kDeadlineExceeded:
      return "DEADLINE_EXCEEDED";
    case StatusCode::kNotFound:
      return "NOT_FOUND";
    case StatusCode::kAlreadyExists:
      return "ALREADY_EXISTS";
    case StatusCode::kPermissionDenied:
      return "PERMISSION_DENIED";
    case StatusCode::kResourceExhausted:
      return "RESOURCE_EXHAUSTED";
    case StatusCode::kFailedPrecondition:
      return "FAILED_PRECONDITION";
    case StatusCode::kAborted:
      return "ABORTED";
    case StatusCode::kOutOfRange:
      return "OUT_OF_RANGE";
    case StatusCode::kUnimplemented:
      return "UNIMPLEMENTED";
    case StatusCode::kInternal:
      return "INTERNAL";
    case StatusCode::kUnavailable:
      return "UNAVAILABLE";
    case StatusCode::kDataLoss:
      return "DATA_LOSS";
    case StatusCode::kUnauthenticated:
      return "UNAUTHENTICATED";
  }
  return "UNKNOWN";
}

Status::Status(StatusCode code, std::string message, ErrorOrigin origin)
    : code_(code),
      origin_(code == StatusCode::kOk ? ErrorOrigin::kNone : origin),
      message_(std::move(message)) {}

namespace {

StatusCode CodeFor(const std::string& reason, int http_code) {
  if (reason == "NotFound") return StatusCode::kNotFound;
  if (reason == "AlreadyExists") return StatusCode::kAlreadyExists;
  if (reason == "Conflict") return StatusCode::kAborted;
  if (reason == "Invalid" || reason == "BadRequest") return StatusCode::kInvalidArgument;
  if (reason == "Unauthorized") return StatusCode::kUnauthenticated;
  if (reason == "Forbidden") return StatusCode::kPermissionDenied;
  if (reason == "TooManyRequests") return StatusCode::kResourceExhausted;
  if (reason == "Timeout" || reason == "ServerTimeout") return StatusCode::kDeadlineExceeded;
  if (reason == "Gone" || reason == "Expired") return StatusCode::kFailedPrecondition;
  if (reason == "MethodNotAllowed") return StatusCode::kUnimplemented;
  if (reason == "ServiceUnavailable") return StatusCode::kUnavailable;
  if (reason == "InternalError") return StatusCode::kInternal;
  switch (http_code) {
    case 400:
    case 406:
    case 413:
    case 415:
    case 422:
      return StatusCode::kInvalidArgument;
    case 401:
      return StatusCode::kUnauthenticated;
    case 403:
      return StatusCode::kPermissionDenied;
    case 404:
      return StatusCode::kNotFound;
    case 405:
      return StatusCode::kUnimplemented;
    case 409:
      return StatusCode::kAborted;
    case 410:
      return StatusCode::kFailedPrecondition;
    case 429:
      return StatusCode::kResourceExhausted;
    case 500:
      return StatusCode::kInternal;
    case 503:
      return StatusCode::kUnavailable;
    case 504:
      return StatusCode::kDeadlineExceeded;
    default:
      break;
  }
  if (http_code >= 500) return StatusCode::kUnavailable;
  return StatusCode::kUnknown;
}

}  // namespace

Status Status::FromAPIStatus(api::meta::v1::Status body, int http_code) {
  if (http_code == 0) http_code = body.code;
  std::string message = body.message;
  if (message.empty()) message = "the server responded with HTTP " + std::to_string(http_code);
  Status s(CodeFor(body.reason, http_code), std::move(message), ErrorOrigin::kAPIServer);
  if (s.code_ == StatusCode::kOk) s.code_ = StatusCode::kUnknown;
  s.origin_ = ErrorOrigin::kAPIServer;
  s.http_code_ = http_code;
  s.api_status_ = std::make_shared<const api::meta::v1::Status>(std::move(body));
  return s;
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  std::string out(StatusCodeName(code_));
  out += ": ";
  out += message_;
  return out;
}

bool operator==(const Status& a, const Status& b) {
  if (a.code_ != b.code_ || a.message_ != b.message_ || a.origin_ != b.origin_ ||
      a.http_code_ != b.http_code_)
    return false;
  if (!a.api_status_ || !b.api_status_) return a.api_status_ == b.api_status_;
  return *a.api_status_ == *b.api_status_;
}

Status InvalidArgumentError(std::string message) {
  return {StatusCode::kInvalidArgument, std::move(message)};
}
Status InternalError(std::string message) { return {StatusCode::kInternal, std::move(message)}; }
Status UnavailableError(std::string message) {
  return {StatusCode::kUnavailable, std::move(message), ErrorOrigin::kTransport};
}
Status CancelledError(std::string message) { return {StatusCode::kCancelled, std::move(message)}; }
Status NotFoundError(std::string message) { return {StatusCode::kNotFound, std::move(message)}; }
Status FailedPreconditionError(std::string message) {
  return {StatusCode::kFailedPrecondition, std::move(message)};
}

}  // namespace kube
