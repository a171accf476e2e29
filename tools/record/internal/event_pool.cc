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
    }
  }
  if (node == nullptr) node = std::make_unique<Node>().release();
  // The deleter owns the node until it hands it back; the pool outlives its events.
  return std::shared_ptr<Event>(&node->event,
                                [pool = shared_from_this(), node](Event*) { pool->Release(node); });
}

void EventPool::Release(Node* node) {
  Node* head = returned_.load(std::memory_order_relaxed);
  do {
    const std::size_t depth = head != nullptr ? head->depth.load(std::memory_order_relaxed) : 0;
    if (depth >= max_pooled_) {
      std::unique_ptr<Node> surplus(node);  // enough idle events already
      return;
    }
    node->next = head;
    node->depth.store(depth + 1, std::memory_order_relaxed);
  } while (!returned_.compare_exchange_weak(head, node, std::memory_order_release,
                                            std::memory_order_relaxed));
}

std::size_t EventPool::idle() {
  std::lock_guard lock(acquire_mu_);
  std::size_t n = 0;
  for (Node* p = ready_; p != nullptr; p = p->next) ++n;
  const Node* head = returned_.load(std::memory_order_acquire);
  return n + (head != nullptr ? head->depth.load(std::memory_order_relaxed) : 0);
}

}  // namespace kube::record::internal
