#include "kubeevents/tools/internal/event_pool.h"

#include <utility>

namespace kube::tools::internal {

// Allocates a shared_ptr's control block in its node's `control_block` (falling back to the
// heap if a standard library's block does not fit). Deallocation is the last thing that happens
// to a control block, after the event's last reference (strong or weak) went, so that is when
// the node goes back to the pool: a producer can never build a new control block over one that
// is still being torn down.
template <class E>
template <class T>
struct EventPool<E>::NodeAllocator {
  using value_type = T;
  NodeAllocator(EventPool* p, Node* n) noexcept : pool(p), node(n) {}
  template <class U>
  NodeAllocator(const NodeAllocator<U>& other) noexcept  // NOLINT: rebinding must be implicit
      : pool(other.pool), node(other.node) {}

  T* allocate(std::size_t n) {
    if (n * sizeof(T) <= kControlBlockSize && alignof(T) <= kControlBlockAlign) {
      return reinterpret_cast<T*>(node->control_block);
    }
    pool->heap_control_blocks_.fetch_add(1, std::memory_order_relaxed);
    return static_cast<T*>(::operator new (n * sizeof(T), std::align_val_t{alignof(T)}));
  }
  void deallocate(T* p, std::size_t n) noexcept {
    if (reinterpret_cast<std::byte*>(p) != node->control_block) {
      // Unsized: clang does not declare sized deallocation without -fsized-deallocation.
      (void)n;
      ::operator delete (p, std::align_val_t{alignof(T)});
    }
    pool->Release(node);
  }
  friend bool operator==(const NodeAllocator& a, const NodeAllocator& b) {
    return a.node == b.node;
  }

  EventPool* pool;
  Node* node;
};

template <class E>
typename EventPool<E>::Handle EventPool<E>::Make(std::size_t max_pooled) {
  return Handle(new EventPool(max_pooled));  // NOLINT(cppcoreguidelines-owning-memory)
}

template <class E>
void EventPool<E>::Orphan::operator()(EventPool* pool) const {
  pool->OrphanSelf();
}

template <class E>
EventPool<E>::EventPool(std::size_t max_pooled) : max_pooled_(max_pooled) {}

template <class E>
EventPool<E>::~EventPool() = default;

template <class E>
typename EventPool<E>::Node* EventPool<E>::OrphanedMark() {
  // A distinct address no node can have.
  static constexpr char kMark = 0;
  return reinterpret_cast<Node*>(const_cast<char*>(&kMark));  // NOLINT: compared, never read
}

template <class E>
std::size_t EventPool<E>::DeleteList(Node* list) {
  std::size_t n = 0;
  while (list != nullptr) {
    std::unique_ptr<Node> node(list);
    list = list->next;
    ++n;
  }
  return n;
}

template <class E>
void EventPool<E>::DropNodes(std::size_t n) {
  if (n > 0 && alive_.fetch_sub(n, std::memory_order_acq_rel) == n) {
    delete this;  // NOLINT(cppcoreguidelines-owning-memory): the last node or the owner went
  }
}

template <class E>
std::shared_ptr<E> EventPool<E>::Acquire() {
  Node* node = nullptr;
  std::size_t trimmed = 0;
  {
    std::lock_guard lock(acquire_mu_);
    if (ready_ == nullptr) {
      ready_ = returned_.exchange(nullptr, std::memory_order_acquire);
      // Keep at most max_pooled_ of them.
      Node* last = ready_;
      for (std::size_t kept = 1; last != nullptr && kept < max_pooled_; ++kept) last = last->next;
      if (last != nullptr) {
        trimmed = DeleteList(last->next);
        last->next = nullptr;
      }
      if (max_pooled_ == 0) {
        trimmed += DeleteList(ready_);
        ready_ = nullptr;
      }
    }
    if (ready_ != nullptr) {
      node = ready_;
      ready_ = node->next;
    }
  }
  if (trimmed > 0) alive_.fetch_sub(trimmed, std::memory_order_relaxed);  // the owner's +1 stays
  if (node == nullptr) {
    node = std::make_unique<Node>().release();
    alive_.fetch_add(1, std::memory_order_relaxed);
  }
  // The event is not destroyed when its last reference goes (the deleter does nothing); the
  // node returns to the pool when its control block is deallocated (NodeAllocator).
  try {
    return std::shared_ptr<E>(
        &node->event, [](E*) {}, NodeAllocator<E>(this, node));
  } catch (...) {  // only if a control block that does not fit cannot be allocated
    Release(node);
    throw;
  }
}

template <class E>
void EventPool<E>::Release(Node* node) {
  Node* head = returned_.load(std::memory_order_relaxed);
  do {
    if (head == OrphanedMark()) {
      std::unique_ptr<Node> gone(node);
      gone.reset();
      DropNodes(1);
      return;
    }
    node->next = head;
  } while (!returned_.compare_exchange_weak(head, node, std::memory_order_release,
                                            std::memory_order_relaxed));
}

template <class E>
void EventPool<E>::OrphanSelf() {
  Node* returned = returned_.exchange(OrphanedMark(), std::memory_order_acq_rel);
  std::size_t freed = DeleteList(returned);
  {
    std::lock_guard lock(acquire_mu_);
    freed += DeleteList(ready_);
    ready_ = nullptr;
  }
  DropNodes(freed + 1);  // and the owner's reference
}

template <class E>
std::size_t EventPool<E>::idle() {
  // Under acquire_mu_ no node can leave either list, so both can be walked.
  std::lock_guard lock(acquire_mu_);
  std::size_t n = 0;
  for (const Node* p = ready_; p != nullptr; p = p->next) ++n;
  const Node* head = returned_.load(std::memory_order_acquire);
  if (head == OrphanedMark()) return n;
  for (const Node* p = head; p != nullptr; p = p->next) ++n;
  return n;
}

template class EventPool<api::core::v1::Event>;
template class EventPool<api::events::v1::Event>;

}  // namespace kube::tools::internal
