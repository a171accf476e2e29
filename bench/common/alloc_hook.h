// Counting allocation hook for the benchmark programs that report allocations or bytes: link
// alloc_hook.cc into the program (kubeevents_add_benchmark(... ALLOC_HOOK)) and it replaces the
// global operator new/delete for the whole process. Counting is off until an AllocCounting
// scope is opened, so the other benchmarks of the program pay one relaxed load per allocation.
#pragma once

#include <cstdint>

namespace kube::bench {

/// Allocations and bytes requested through operator new since the process started counting.
struct AllocTotals {
  std::uint64_t count = 0;
  std::uint64_t bytes = 0;
};

/// Counts every operator new (on every thread) while it is alive; not nestable. Totals() is
/// what was counted so far. Threads that allocate after the scope ends are not counted.
class AllocCounting {
 public:
  AllocCounting();
  ~AllocCounting();
  AllocCounting(const AllocCounting&) = delete;
  AllocCounting& operator=(const AllocCounting&) = delete;
  AllocTotals Totals() const;

 private:
  AllocTotals start_;
};

}  // namespace kube::bench
