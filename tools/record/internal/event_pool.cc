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
    if (ready_ == nullptr) {
      ready_ = returned_.exchange(nullptr, std::memory_order_acquire);
      // Keep at most max_pooled_ of them.
      Node* last = ready_;
      for (std::size_t kept = 1; last != nullptr && kept < max_pooled_; ++kept) last = last->next;
      if (last != nullptr) {
        DeleteList(last->next);
        last->next = nullptr;
      }
      if (max_pooled_ == 0) {
        DeleteList(ready_);
        ready_ = nullptr;
      }
    }
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
  node->next = returned_.load(std::memory_order_relaxed);
  while (!returned_.compare_exchange_weak(node->next, node, std::memory_order_release,
                                          std::memory_order_relaxed)) {
  }
}

std::size_t EventPool::idle() {
  // Under acquire_mu_ no node can leave either list, so both can be walked.
  std::lock_guard lock(acquire_mu_);
  std::size_t n = 0;
  for (const Node* p = ready_; p != nullptr; p = p->next) ++n;
  for (const Node* p = returned_.load(std::memory_order_acquire); p != nullptr; p = p->next) ++n;
  return n;
}

}  // namespace kube::record::internal
