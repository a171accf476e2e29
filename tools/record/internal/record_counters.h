// Internal: the atomic counters behind RecordStats.
#pragma once

#include <atomic>
#include <cstdint>

namespace kube::record::internal {

struct RecordCounters {
  std::atomic<std::uint64_t> dropped_shutdown{0};
  std::atomic<std::uint64_t> dropped_invalid{0};
  std::atomic<std::uint64_t> abandoned{0};
  std::atomic<std::uint64_t> skipped_spam{0};
  std::atomic<std::uint64_t> aggregated{0};
  std::atomic<std::uint64_t> created{0};
  std::atomic<std::uint64_t> patched{0};
  std::atomic<std::uint64_t> retries{0};
  std::atomic<std::uint64_t> failed_rejected{0};
  std::atomic<std::uint64_t> failed_quietly{0};
  std::atomic<std::uint64_t> failed_request_building{0};
  std::atomic<std::uint64_t> failed_retry_limit{0};
  std::atomic<std::uint64_t> failed_shutdown{0};

  static void Inc(std::atomic<std::uint64_t>& c, std::uint64_t n = 1) {
    c.fetch_add(n, std::memory_order_relaxed);
  }
};

}  // namespace kube::record::internal
