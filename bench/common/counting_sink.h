// The benchmarks' in-memory event sink: accepts every write and counts creates and patches,
// so that a pipeline benchmark measures the pipeline, not a store. Like a real sink it returns
// its own copy of the event it was given (what an API server answers).
#pragma once

#include <atomic>
#include <cstdint>
#include <string_view>

#include "kubeevents/api/common/status_or.h"

namespace kube::bench {

/// A `Sink` (record::EventSink or events::EventSink) of `Event`s that stores nothing.
template <typename Sink, typename Event>
class CountingSink final : public Sink {
 public:
  StatusOr<Event> Create(const Event& e) override {
    created.fetch_add(1, std::memory_order_relaxed);
    return e;
  }
  StatusOr<Event> Update(const Event& e) override { return e; }
  StatusOr<Event> Patch(const Event& e, std::string_view) override {
    patched.fetch_add(1, std::memory_order_relaxed);
    return e;
  }
  std::atomic<std::uint64_t> created{0};
  std::atomic<std::uint64_t> patched{0};
};

}  // namespace kube::bench
