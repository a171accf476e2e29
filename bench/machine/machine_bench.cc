// What this machine charges for the three things the cross-thread figures of scripts/bench
// are made of: a cache line moving to the other CPU and back, a system call, and a thread
// woken from sleep. No library code runs here. scripts/bench prints them above the table, so
// that two runs (or two machines) can be told apart by the machine as well as by the code;
// docs/performance.md says which figure each one bounds.
#include <benchmark/benchmark.h>

#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

namespace {

// Spins on `ready` for a while, then yields between checks: on a machine with one CPU (or a
// busy one) the partner thread must get to run for the wait to end.
template <typename Ready>
void SpinUntil(Ready ready) {
  for (int spins = 0; !ready(); ++spins) {
    if (spins > 4096) std::this_thread::yield();
  }
}

// One cache line written in turn by two threads: the benchmark thread makes the counter odd,
// the partner makes it even. Each iteration is one round trip of the line: to the partner's
// CPU and back (when the two threads run on different CPUs, as they do on an idle machine).
void BM_CacheLineRoundTrip(benchmark::State& state) {
  struct alignas(64) Line {
    std::atomic<std::uint64_t> v{0};
  };
  Line line;
  std::atomic<bool> stop{false};
  std::thread partner([&] {
    std::uint64_t seen = 0;
    while (true) {
      SpinUntil([&] {
        seen = line.v.load(std::memory_order_acquire);
        return (seen & 1) != 0 || stop.load(std::memory_order_relaxed);
      });
      if ((seen & 1) == 0) return;  // stopped
      line.v.store(seen + 1, std::memory_order_release);
    }
  });
  std::uint64_t v = 0;
  for (auto _ : state) {
    line.v.store(v + 1, std::memory_order_release);
    SpinUntil([&] { return line.v.load(std::memory_order_acquire) == v + 2; });
    v += 2;
  }
  stop.store(true, std::memory_order_relaxed);
  partner.join();
}
BENCHMARK(BM_CacheLineRoundTrip)->UseRealTime();

// The cheapest system call: what every futex wake, epoll_wait or send costs before it does
// its work (a virtual machine's guest kernel entry can cost many times a bare-metal one).
void BM_SystemCall(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(::syscall(SYS_getppid));
}
BENCHMARK(BM_SystemCall);

// Two threads that sleep on a condition variable and wake each other in turn: each iteration
// is two wake-ups of a sleeping thread (futex wake, scheduler, the other CPU), what a queue
// pays when its consumer has gone to sleep.
void BM_WakeUpRoundTrip(benchmark::State& state) {
  std::mutex mu;
  std::condition_variable cv;
  std::uint64_t turn = 0;  // odd: the partner's turn
  bool stop = false;
  std::thread partner([&] {
    std::unique_lock lock(mu);
    while (true) {
      cv.wait(lock, [&] { return (turn & 1) != 0 || stop; });
      if (stop) return;
      ++turn;
      cv.notify_all();
    }
  });
  std::uint64_t mine = 0;
  for (auto _ : state) {
    std::unique_lock lock(mu);
    turn = mine + 1;
    cv.notify_all();
    cv.wait(lock, [&] { return turn == mine + 2; });
    mine += 2;
  }
  {
    std::lock_guard lock(mu);
    stop = true;
  }
  cv.notify_all();
  partner.join();
}
BENCHMARK(BM_WakeUpRoundTrip)->UseRealTime();

}  // namespace
