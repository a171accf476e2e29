#include "kubeevents/tools/localapiserver/faults.h"

#include <algorithm>

namespace kube::localapiserver {

void FaultInjector::FailNext(int n, int code, std::chrono::seconds retry_after) {
  std::lock_guard lock(mu_);
  state_.fail_remaining = std::max(0, n);
  state_.fail_code = code;
  state_.retry_after_seconds = static_cast<int>(std::max<long long>(0, retry_after.count()));
}

void FaultInjector::SetLatency(std::chrono::milliseconds latency) {
  std::lock_guard lock(mu_);
  state_.latency = std::max(std::chrono::milliseconds(0), latency);
}

void FaultInjector::ResetNext(int n) {
  std::lock_guard lock(mu_);
  state_.reset_remaining = std::max(0, n);
}

void FaultInjector::StallNext(int n, std::chrono::milliseconds stall) {
  std::lock_guard lock(mu_);
  state_.stall_remaining = std::max(0, n);
  state_.stall = std::max(std::chrono::milliseconds(0), stall);
}

void FaultInjector::GarbageNext(int n, int code) {
  std::lock_guard lock(mu_);
  state_.garbage_remaining = std::max(0, n);
  state_.garbage_code = code;
}

void FaultInjector::TruncateNext(int n) {
  std::lock_guard lock(mu_);
  state_.truncate_remaining = std::max(0, n);
}

void FaultInjector::Clear() {
  std::lock_guard lock(mu_);
  const bool accepting = state_.accepting;
  state_ = FaultState{};
  state_.accepting = accepting;
}

FaultState FaultInjector::State() const {
  std::lock_guard lock(mu_);
  return state_;
}

void FaultInjector::SetAccepting(bool accepting) {
  std::lock_guard lock(mu_);
  state_.accepting = accepting;
}

FaultInjector::Decision FaultInjector::Next() {
  std::lock_guard lock(mu_);
  Decision d;
  d.latency = state_.latency;
  if (state_.reset_remaining > 0) {
    --state_.reset_remaining;
    d.reset = true;
    return d;
  }
  if (state_.stall_remaining > 0) {
    --state_.stall_remaining;
    d.stall = state_.stall;
    return d;
  }
  if (state_.garbage_remaining > 0) {
    --state_.garbage_remaining;
    d.garbage_code = state_.garbage_code;
    return d;
  }
  if (state_.truncate_remaining > 0) {
    --state_.truncate_remaining;
    d.truncate = true;
    return d;
  }
  if (state_.fail_remaining > 0) {
    --state_.fail_remaining;
    d.fail_code = state_.fail_code;
    d.retry_after_seconds = state_.retry_after_seconds;
  }
  return d;
}

std::string ReasonForCode(int code) {
  switch (code) {
    case 400:
      return "BadRequest";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "NotFound";
    case 405:
      return "MethodNotAllowed";
    case 406:
      return "NotAcceptable";
    case 409:
      return "Conflict";
    case 410:
      return "Expired";
    case 413:
      return "RequestEntityTooLarge";
    case 415:
      return "UnsupportedMediaType";
    case 422:
      return "Invalid";
    case 429:
      return "TooManyRequests";
    case 500:
      return "InternalError";
    case 503:
      return "ServiceUnavailable";
    case 504:
      return "Timeout";
    default:
      return "";
  }
}

}  // namespace kube::localapiserver
