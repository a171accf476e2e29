// Internal: recycles the Event objects a recorder emits (core/v1 for tools/record,
// events.k8s.io/v1 for tools/events).
//
// An emitted event is built on the caller's thread and destroyed on a consumer's thread. With
// a general-purpose allocator every one of its heap strings is then freed into the producing
// thread's arena from another thread, which under a burst makes malloc and free contend for
// the same arena lock. Pooled events are not destroyed when their last reference goes: they
// come back here with their strings' buffers, and the next event is assigned into them.
//
// Nothing shared is written per event by both sides: releasing pushes onto a lock-free list
// (a releaser never dereferences a node another thread could take), acquiring takes that whole
// list when the producers' own list runs dry, and events point at the pool without counting
// references. The pool's owner holds it through a Handle; when the handle goes, the idle
// events are freed and the pool itself is freed with the last event still out.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <new>

#include "kubeevents/api/core/v1/event.h"
#include "kubeevents/api/events/v1/event.h"

namespace kube::tools::internal {

/// A pool of `E`s (instantiated for api::core::v1::Event and api::events::v1::Event).
template <class E>
class EventPool {
 public:
  struct Orphan {
    void operator()(EventPool* pool) const;
  };
  /// The owner's handle: Acquire through it; destroying it orphans the pool.
  using Handle = std::unique_ptr<EventPool, Orphan>;

  /// A pool keeping at most `max_pooled` idle events once a producer has looked (surplus is
  /// deleted when Acquire takes the returned events); between two Acquires the returned list
  /// holds at most as many events as were out at once, which the queues bound.
  static Handle Make(std::size_t max_pooled);

  /// An event to fill in. It may hold an earlier event's values: the caller assigns every
  /// field it uses and clears the others it might have set (the recorder's fixed set).
  /// When the last reference goes, the event returns to the pool. Only the owner calls this.
  std::shared_ptr<E> Acquire();

  /// Idle events held now (for tests; exact when no other thread acquires or releases).
  std::size_t idle();

  /// Control blocks that did not fit in their node and were allocated on the heap: 0 with
  /// libstdc++ (its block is 40 bytes); a standard library whose block is larger pays one
  /// allocation per event, and this says so.
  std::uint64_t heap_control_blocks() const {
    return heap_control_blocks_.load(std::memory_order_relaxed);
  }

  EventPool(const EventPool&) = delete;
  EventPool& operator=(const EventPool&) = delete;

 private:
  // The room for a control block in a node. alignof(control_block) would be 1 (the member's
  // type is a byte array; alignas does not change it), so the alignment is named once here.
  static constexpr std::size_t kControlBlockSize = 48;
  static constexpr std::size_t kControlBlockAlign = 64;
  struct Node {
    E event;
    // The control block of the shared_ptr that hands the event out is built here, on the
    // same cache line as `next`: both are written by the consumer that lets go of the event
    // and read by the producer that takes it next, so they cross between cores together, and
    // no control block is allocated (and freed on another thread) per event.
    alignas(kControlBlockAlign) std::byte control_block[kControlBlockSize];
    Node* next = nullptr;
  };
  template <class T>
  struct NodeAllocator;
  explicit EventPool(std::size_t max_pooled);
  ~EventPool();
  void Release(Node* node);
  void OrphanSelf();
  void DropNodes(std::size_t n);  // n nodes were deleted; frees the pool with the last
  static std::size_t DeleteList(Node* list);
  static Node* OrphanedMark();

  // Pushed by releasers (consumers), taken whole by Acquire; OrphanedMark() once the owner is
  // gone. On its own cache line: written per event by the consumers, it would otherwise take
  // the producers' acquire_mu_ and ready_ away from their core with it.
  alignas(64) std::atomic<Node*> returned_{nullptr};
  // Nodes alive (idle or out) plus one for the owner; changes only when a node is created
  // or deleted, never per event. Starts the producers' cache line (alive_, acquire_mu_,
  // ready_).
  alignas(64) std::atomic<std::size_t> alive_{1};
  std::mutex acquire_mu_;  // producers among themselves
  Node* ready_ = nullptr;  // taken from returned_; under acquire_mu_
  std::atomic<std::uint64_t> heap_control_blocks_{0};
  const std::size_t max_pooled_;
};

extern template class EventPool<api::core::v1::Event>;
extern template class EventPool<api::events::v1::Event>;

}  // namespace kube::tools::internal
