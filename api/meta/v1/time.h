// meta/v1 Time and MicroTime: timestamps with Kubernetes' JSON forms.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "kubeevents/api/common/status_or.h"

namespace kube::api::meta::v1 {

/// The clock every Kubernetes timestamp is measured on.
using TimePoint = std::chrono::system_clock::time_point;

/// Formats `t` as RFC 3339 in UTC with `fraction_digits` (0..9) fractional digits, truncating
/// (as Go does), e.g. "2024-05-01T10:00:03Z" or "2024-05-01T10:00:03.123456Z".
std::string FormatRFC3339(TimePoint t, int fraction_digits);

/// Appends FormatRFC3339(t, fraction_digits) to `out` (no temporary string).
void AppendRFC3339(std::string& out, TimePoint t, int fraction_digits);

/// Parses RFC 3339 with any offset (`Z`, `+02:00`) and any fractional precision, normalized
/// to UTC. Errors name what was wrong.
StatusOr<TimePoint> ParseRFC3339(std::string_view text);

/// metav1.Time: second precision on the wire, `null` when zero. Holds full precision in
/// memory (like Go) and compares exactly.
class Time {
 public:
  /// The zero time (serialized as `null`).
  Time() = default;
  explicit Time(TimePoint t) : t_(t), set_(true) {}

  bool IsZero() const { return !set_; }
  TimePoint time() const { return t_; }
  /// RFC 3339 with seconds and `Z`; empty string for the zero time.
  std::string ToString() const { return set_ ? FormatRFC3339(t_, 0) : std::string(); }
  /// Parses RFC 3339 text; an empty string gives the zero time.
  static StatusOr<Time> Parse(std::string_view text);

  friend bool operator==(const Time& a, const Time& b) {
    return a.set_ == b.set_ && (!a.set_ || a.t_ == b.t_);
  }

 private:
  TimePoint t_{};
  bool set_ = false;
};

/// metav1.MicroTime: exactly six fractional digits on the wire, `null` when zero.
class MicroTime {
 public:
  MicroTime() = default;
  explicit MicroTime(TimePoint t) : t_(t), set_(true) {}

  bool IsZero() const { return !set_; }
  TimePoint time() const { return t_; }
  /// RFC 3339 with microseconds and `Z`; empty string for the zero time.
  std::string ToString() const { return set_ ? FormatRFC3339(t_, 6) : std::string(); }
  static StatusOr<MicroTime> Parse(std::string_view text);

  friend bool operator==(const MicroTime& a, const MicroTime& b) {
    return a.set_ == b.set_ && (!a.set_ || a.t_ == b.t_);
  }

 private:
  TimePoint t_{};
  bool set_ = false;
};

}  // namespace kube::api::meta::v1
