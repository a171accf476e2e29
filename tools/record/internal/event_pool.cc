#include "kubeevents/tools/record/internal/event_pool.h"

#include <utility>

namespace kube::record::internal {

using api::core::v1::Event;

std::shared_ptr<EventPool> EventPool::Make(std::size_t max_pooled) {
  return std::make_shared<EventPool>(max_pooled);
}

EventPool::EventPool(std::size_t max_pooled) : max_pooled_(max_pooled) {}

EventPool::~EventPool() {
  DeleteList(ready_);
  DeleteList(returned_.load(std::memory_order_acquire));
}

void EventPool::DeleteList(Node* list) {
  while (list != nullptr) {
    std::unique_ptr<Node> node(list);
    list = list->next;
  }
}

std::shared_ptr<Event> EventPool::Acquire() {
  Node* node = nullptr;
  {
    std::lock_guard lock(acquire_mu_);
    if (ready_ == nullptr) ready_ = returned_.exchange(nullptr, std::memory_order_acquire);
    if (ready_ != nullptr) {
      node = ready_;
      ready_ = node->next;
      idle_.fetch_sub(1, std::memory_order_relaxed);
    }
  }
  if (node == nullptr) node = std::make_unique<Node>().release();
  // The deleter owns the node until it hands it back; the pool outlives its events.
  return std::shared_ptr<Event>(&node->event,
                                [pool = shared_from_this(), node](Event*) { pool->Release(node); });
}

void EventPool::Release(Node* node) {
  if (idle_.fetch_add(1, std::memory_order_relaxed) >= max_pooled_) {
    idle_.fetch_sub(1, std::memory_order_relaxed);
    delete node;  // NOLINT(cppcoreguidelines-owning-memory): the pool owns released nodes
    return;
  }
  node->next = returned_.load(std::memory_order_relaxed);
  while (!returned_.compare_exchange_weak(node->next, node, std::memory_order_release,
                                          std::memory_order_relaxed)) {
  }
}

std::size_t EventPool::idle() const { return idle_.load(std::memory_order_relaxed); }

}  // namespace kube::record::internal
