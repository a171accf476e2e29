// kube::StatusOr<T>: a value or the Status explaining why there is none.
#pragma once

#include <cassert>
#include <optional>
#include <type_traits>
#include <utility>

#include "kubeevents/api/common/status.h"

namespace kube {

/// Holds either a T or a non-OK Status. Dereferencing (`*`, `->`) an error is undefined
/// behaviour (asserted in debug builds); `value()` never is: it throws StatusError.
template <typename T>
class StatusOr {
 public:
  static_assert(!std::is_same_v<std::decay_t<T>, Status>, "StatusOr<Status> is not allowed");
  using value_type = T;

  /// A StatusOr holding a copy of `value`. Copy and move are separate overloads, not one
  /// by-value parameter, so that returning an object costs one copy or move of it, not two
  /// (a core/v1 Event has about thirty strings: a move of it is not free).
  StatusOr(const T& value) : value_(value) {}  // NOLINT(google-explicit-constructor)
  /// A StatusOr holding `value`, moved in.
  StatusOr(T&& value) : value_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  /// A StatusOr holding a T constructed in place from `args`: a decoder can fill the value
  /// where the caller will read it, with no move of it on the way out.
  template <typename... Args>
  explicit StatusOr(std::in_place_t, Args&&... args)
      : value_(std::in_place, std::forward<Args>(args)...) {}
  /// A StatusOr holding an error. An OK status here is a programming error and becomes
  /// kInternal.
  StatusOr(Status status) : status_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    if (status_.ok()) status_ = InternalError("StatusOr constructed from an OK Status");
  }

  bool ok() const { return value_.has_value(); }
  explicit operator bool() const { return ok(); }
  /// The error; an OK Status when a value is held.
  const Status& status() const& { return status_; }
  Status&& status() && { return std::move(status_); }

  T& operator*() & {
    assert(ok());
    return *value_;
  }
  const T& operator*() const& {
    assert(ok());
    return *value_;
  }
  T&& operator*() && {
    assert(ok());
    return std::move(*value_);
  }
  T* operator->() {
    assert(ok());
    return &*value_;
  }
  const T* operator->() const {
    assert(ok());
    return &*value_;
  }

  T& value() & {
    Check();
    return *value_;
  }
  const T& value() const& {
    Check();
    return *value_;
  }
  T&& value() && {
    Check();
    return std::move(*value_);
  }

 private:
  void Check() const {
    if (!ok()) throw StatusError(status_);
  }
  Status status_;
  std::optional<T> value_;
};

}  // namespace kube
