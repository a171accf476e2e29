// Internal: recordToSink — correlate one event and write it with client-go's retry rules.
#pragma once

#include <chrono>
#include <memory>
#include <random>
#include <stop_token>

#include "kubeevents/api/common/clock.h"
#include "kubeevents/api/common/logger.h"
#include "kubeevents/tools/record/event_correlator.h"
#include "kubeevents/tools/record/event_sink.h"
#include "kubeevents/tools/record/internal/record_counters.h"

namespace kube::record::internal {

/// One per StartRecordingToSink: owns that sink's correlator. Used by one consumer thread.
class SinkWriter {
 public:
  SinkWriter(std::shared_ptr<EventSink> sink, const CorrelatorOptions& options,
             std::chrono::nanoseconds sleep_duration, std::shared_ptr<Clock> clock,
             std::shared_ptr<Logger> logger, std::uint64_t seed, RecordCounters& counters);

  /// recordToSink: correlate, then up to 12 attempts; the first retry sleeps U[0, d), later
  /// ones d; `cancel` aborts the sleeps.
  void RecordToSink(const api::core::v1::Event& event, std::stop_token cancel);

 private:
  enum class Attempt { kDone, kRetry };
  void Deliver(EventCorrelateView& view, std::stop_token cancel);
  Attempt RecordEvent(EventCorrelateView& view, const std::string& patch, bool update,
                      std::stop_token cancel);
  StatusOr<api::core::v1::Event> Create(EventCorrelateView& view, std::stop_token cancel);

  std::shared_ptr<EventSink> sink_;
  EventCorrelator correlator_;
  std::chrono::nanoseconds sleep_duration_;
  std::shared_ptr<Clock> clock_;
  std::shared_ptr<Logger> logger_;
  std::mt19937_64 rng_;
  RecordCounters& counters_;
  std::unique_ptr<api::core::v1::Event> scratch_;  // storage for the next modified event
};

/// A short description of an event for log fields: "ns/name (Pod ns/pod1, reason Started)".
std::string DescribeEvent(const api::core::v1::Event& event);

}  // namespace kube::record::internal
