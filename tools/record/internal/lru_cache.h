// Internal: a fixed-capacity LRU map (k8s.io/utils/lru semantics: Get refreshes recency, Add
// inserts or replaces and evicts the least recently used entry). Not thread-safe: owners lock.
#pragma once

#include <cstddef>
#include <list>
#include <string>
#include <unordered_map>
#include <utility>

namespace kube::record::internal {

template <typename V>
class LruCache {
 public:
  explicit LruCache(std::size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {
    index_.reserve(capacity_);
  }

  /// The value for key (refreshing its recency), or nullptr.
  V* Get(const std::string& key) {
    auto it = index_.find(key);
    if (it == index_.end()) return nullptr;
    entries_.splice(entries_.begin(), entries_, it->second);
    return &it->second->second;
  }

  /// Inserts or replaces; returns the stored value. Evicts the oldest entry when full.
  V& Add(const std::string& key, V value) {
    auto it = index_.find(key);
    if (it != index_.end()) {
      it->second->second = std::move(value);
      entries_.splice(entries_.begin(), entries_, it->second);
      return it->second->second;
    }
    if (index_.size() >= capacity_) {
      // Reuse the evicted node: no allocation for the list in steady state.
      auto last = std::prev(entries_.end());
      index_.erase(last->first);
      last->first = key;
      last->second = std::move(value);
      entries_.splice(entries_.begin(), entries_, last);
    } else {
      entries_.emplace_front(key, std::move(value));
    }
    index_.emplace(entries_.front().first, entries_.begin());
    return entries_.front().second;
  }

  std::size_t size() const { return index_.size(); }
  std::size_t capacity() const { return capacity_; }

 private:
  using Entry = std::pair<std::string, V>;
  std::size_t capacity_;
  std::list<Entry> entries_;
  std::unordered_map<std::string, typename std::list<Entry>::iterator> index_;
};

}  // namespace kube::record::internal
