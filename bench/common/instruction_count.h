// Exact instructions per call for the single-threaded micro benchmarks (scripts/bench's
// `instructions` suite, read by scripts/bench-report).
//
// Wall-clock figures on a shared VM move by up to 2x from one run to the next; an instruction
// count does not: the same binary with the same input executes the same instructions whatever
// the machine is doing. So a change to a hot path can be compared run to run, and machine to
// machine, by its count. callgrind counts them; this header marks what to count.
#pragma once

#include <benchmark/benchmark.h>

#include <string>

// bench/CMakeLists.txt defines KUBEEVENTS_BENCH_HAVE_CALLGRIND where valgrind's headers are.
#ifdef KUBEEVENTS_BENCH_HAVE_CALLGRIND
#include <valgrind/callgrind.h>
#endif

namespace kube::bench {

/// Calls a benchmark's step under callgrind before measuring.
inline constexpr int kInstructionWarmupCalls = 10'000;
/// Calls counted under callgrind.
inline constexpr int kInstructionCountedCalls = 20'000;

/// Runs `step()` as the benchmark loop (`for (auto _ : state) step();`). Under callgrind it
/// first calls it kInstructionWarmupCalls times (caches filled, buffers grown: the steady
/// state, which a timed run also measures), zeroes callgrind's counters, calls it exactly
/// kInstructionCountedCalls times and dumps the counters under the name
/// "kubeevents-steps <id> <calls>", which scripts/bench-report divides. Off callgrind this is
/// the plain loop (RUNNING_ON_VALGRIND is a few instructions, run once per benchmark run).
/// `step` must not start threads: callgrind counts every thread of the process.
template <class Step>
void RunSteps(benchmark::State& state, const char* id, Step&& step) {
#ifdef KUBEEVENTS_BENCH_HAVE_CALLGRIND
  if (RUNNING_ON_VALGRIND) {
    for (int i = 0; i < kInstructionWarmupCalls; ++i) step();
    CALLGRIND_ZERO_STATS;
    for (int i = 0; i < kInstructionCountedCalls; ++i) step();
    const std::string name =
        std::string("kubeevents-steps ") + id + " " + std::to_string(kInstructionCountedCalls);
    CALLGRIND_DUMP_STATS_AT(name.c_str());
  }
#else
  (void)id;
#endif
  for (auto _ : state) step();
}

}  // namespace kube::bench
