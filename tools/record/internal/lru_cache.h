// Internal: a fixed-capacity LRU map (k8s.io/utils/lru semantics: Get refreshes recency, Add
// inserts or replaces and evicts the least recently used entry). Not thread-safe: owners lock.
//
// Built for the correlator's hot path: lookups take string_views (no key copies), and in
// steady state an insertion recycles the evicted entry's list node, hash node and key buffer,
// so a full cache allocates nothing per event.
#pragma once

#include <cstddef>
#include <functional>
#include <list>
#include <string>
#include <string_view>
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
  V* Get(std::string_view key) {
    auto it = index_.find(key);
    if (it == index_.end()) return nullptr;
    entries_.splice(entries_.begin(), entries_, it->second);
    return &it->second->value;
  }

  /// The value for key, made most recent. When absent it is inserted (evicting the least
  /// recent entry when full) and `inserted` is set: the value is then either default
  /// constructed or a recycled evicted value, which the caller must reset.
  V& GetOrInsert(std::string_view key, bool& inserted) {
    if (V* v = Get(key)) {
      inserted = false;
      return *v;
    }
    inserted = true;
    if (index_.size() >= capacity_) {
      auto last = std::prev(entries_.end());
      auto node = index_.extract(*last->key);
      node.key().assign(key.data(), key.size());
      auto pos = index_.insert(std::move(node)).position;
      last->key = &pos->first;
      entries_.splice(entries_.begin(), entries_, last);
      return last->value;
    }
    entries_.emplace_front();
    auto pos = index_.emplace(std::string(key), entries_.begin()).first;
    entries_.front().key = &pos->first;
    return entries_.front().value;
  }

  /// Inserts or replaces `key`, making it the most recent entry.
  V& Add(std::string_view key, V value) {
    bool inserted = false;
    V& slot = GetOrInsert(key, inserted);
    slot = std::move(value);
    return slot;
  }

  std::size_t size() const { return index_.size(); }
  std::size_t capacity() const { return capacity_; }

 private:
  struct Entry {
    const std::string* key = nullptr;  // points into the hash node (stable across rehash)
    V value{};
  };
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::size_t capacity_;
  std::list<Entry> entries_;
  std::unordered_map<std::string, typename std::list<Entry>::iterator, Hash, std::equal_to<>>
      index_;
};

}  // namespace kube::record::internal
