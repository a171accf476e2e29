// Internal: recycles the core/v1 Event objects a recorder emits.
//
// An emitted event is built on the caller's thread and destroyed on a consumer's thread. With
// a general-purpose allocator every one of its heap strings is then freed into the producing
// thread's arena from another thread, which under a burst makes malloc and free contend for
// the same arena lock. Pooled events are not destroyed when their last reference goes: they
// come back here with their strings' buffers, and the next event is assigned into them.
//
// Releasing pushes onto a lock-free list (consumers never wait for producers); acquiring takes
// the whole list at once when the producers' own list runs dry, so the two sides touch shared
// state once per batch, not once per event.
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <mutex>

#include "kubeevents/api/core/v1/event.h"

namespace kube::record::internal {

class EventPool : public std::enable_shared_from_this<EventPool> {
 public:
  /// Keeps at most `max_pooled` idle events once a producer has looked (surplus is deleted
  /// when Acquire takes the returned events); between two Acquires the returned list holds
  /// at most as many events as were in flight at once, which the queues bound.
  static std::shared_ptr<EventPool> Make(std::size_t max_pooled);

  /// An event to fill in. It may hold an earlier event's values: the caller assigns every
  /// field it uses and clears the others it might have set (the recorder's fixed set).
  /// When the last reference goes, the event returns to the pool (or is deleted if the pool
  /// is full); the returned pointer keeps the pool alive.
  std::shared_ptr<api::core::v1::Event> Acquire();

  /// Idle events held now (approximate while other threads acquire or release; for tests).
  std::size_t idle();

  explicit EventPool(std::size_t max_pooled);
  ~EventPool();
  EventPool(const EventPool&) = delete;
  EventPool& operator=(const EventPool&) = delete;

 private:
  struct Node {
    api::core::v1::Event event;
    Node* next = nullptr;
  };
  void Release(Node* node);
  static void DeleteList(Node* list);

  // Pushed by releasers (never read by them: a node another thread may take is never
  // dereferenced), taken whole by Acquire. No counter is shared per event.
  std::atomic<Node*> returned_{nullptr};
  std::mutex acquire_mu_;  // producers among themselves
  Node* ready_ = nullptr;  // taken from returned_; under acquire_mu_
  const std::size_t max_pooled_;
};

}  // namespace kube::record::internal
