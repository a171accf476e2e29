// Replaces the global operator new/delete with malloc/free plus counters that are bumped only
// while an AllocCounting scope is open (see alloc_hook.h).
#include "alloc_hook.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <new>

namespace {

std::atomic<bool> g_enabled{false};

// The counters are per thread: a counter shared by every thread would be an atomic
// read-modify-write on one cache line per allocation, moved between the cores whenever two
// threads allocate, and so would slow the very pipelines whose allocations it counts. A thread
// takes a slot of its own on its first counted allocation and keeps it (slots are never
// reused, so a thread that has exited still counts); each slot has its own cache line and
// only its thread writes it. Past kSlots threads, the shared fallback counts.
struct alignas(64) Slot {
  std::atomic<std::uint64_t> count{0};
  std::atomic<std::uint64_t> bytes{0};
};
constexpr std::size_t kSlots = 4096;
Slot g_slots[kSlots];
std::atomic<std::size_t> g_slots_taken{0};
Slot g_shared;
// Constant-initialized and trivial, so reading it in operator new needs no TLS guard (safe
// while the thread starts or exits).
thread_local Slot* t_slot = nullptr;

void Count(std::size_t size) {
  Slot* slot = t_slot;
  if (slot == nullptr) {
    const std::size_t i = g_slots_taken.fetch_add(1, std::memory_order_relaxed);
    slot = i < kSlots ? &g_slots[i] : &g_shared;
    t_slot = slot;
  }
  if (slot == &g_shared) {
    slot->count.fetch_add(1, std::memory_order_relaxed);
    slot->bytes.fetch_add(size, std::memory_order_relaxed);
    return;
  }
  // Only this thread writes its slot: a plain add, published with a relaxed store.
  slot->count.store(slot->count.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  slot->bytes.store(slot->bytes.load(std::memory_order_relaxed) + size, std::memory_order_relaxed);
}

kube::bench::AllocTotals Sum() {
  kube::bench::AllocTotals t;
  const std::size_t n = std::min(g_slots_taken.load(std::memory_order_relaxed), kSlots);
  for (std::size_t i = 0; i < n; ++i) {
    t.count += g_slots[i].count.load(std::memory_order_relaxed);
    t.bytes += g_slots[i].bytes.load(std::memory_order_relaxed);
  }
  t.count += g_shared.count.load(std::memory_order_relaxed);
  t.bytes += g_shared.bytes.load(std::memory_order_relaxed);
  return t;
}

void* Allocate(std::size_t size) {
  if (g_enabled.load(std::memory_order_relaxed)) Count(size);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}

void* AllocateAligned(std::size_t size, std::align_val_t align) {
  if (g_enabled.load(std::memory_order_relaxed)) Count(size);
  const auto a = static_cast<std::size_t>(align);
  const std::size_t rounded = (size + a - 1) / a * a;
  if (void* p = std::aligned_alloc(a, rounded == 0 ? a : rounded)) return p;
  throw std::bad_alloc();
}

}  // namespace

void* operator new(std::size_t size) { return Allocate(size); }
void* operator new[](std::size_t size) { return Allocate(size); }
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  try {
    return Allocate(size);
  } catch (...) {
    return nullptr;
  }
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
  try {
    return Allocate(size);
  } catch (...) {
    return nullptr;
  }
}
void* operator new(std::size_t size, std::align_val_t a) { return AllocateAligned(size, a); }
void* operator new[](std::size_t size, std::align_val_t a) { return AllocateAligned(size, a); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }

namespace kube::bench {

AllocCounting::AllocCounting() {
  start_ = Sum();
  g_enabled.store(true);
}

AllocCounting::~AllocCounting() { g_enabled.store(false); }

// Reads every thread's slot: exact once the threads whose allocations are wanted are done
// (joined, or synchronized with by a Flush), as when the benchmarks read it.
AllocTotals AllocCounting::Totals() const {
  const AllocTotals now = Sum();
  return {now.count - start_.count, now.bytes - start_.bytes};
}

}  // namespace kube::bench
