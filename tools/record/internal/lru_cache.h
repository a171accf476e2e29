// Internal: a fixed-capacity LRU map (k8s.io/utils/lru semantics: Get refreshes recency, Add
// inserts or replaces and evicts the least recently used entry). Not thread-safe: owners lock.
//
// Built for the correlator's hot path, which looks up two or three long string keys per
// event: all entries live in one array allocated up front (the recency list and the hash
// chains are indices into it), buckets are a power of two (no division), every entry keeps
// its key's hash (a chain walk compares hashes before bytes), and in steady state an insertion
// reuses the evicted entry's key buffer, so a full cache allocates nothing per event.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kubeevents/tools/record/internal/key_hash.h"

namespace kube::record::internal {

template <typename V>
class LruCache {
 public:
  explicit LruCache(std::size_t capacity)
      : capacity_(std::clamp<std::size_t>(capacity, 1, kNone - 1)) {
    Rehash(16);
  }

  /// The value for key (refreshing its recency), or nullptr.
  V* Get(std::string_view key) {
    const std::uint64_t h = HashKey(key);
    const Index i = Find(key, h);
    if (i == kNone) return nullptr;
    MoveToFront(i);
    return &entries_[i].value;
  }

  /// The value for key, made most recent. When absent it is inserted (evicting the least
  /// recent entry when full) and `inserted` is set: the value is then either default
  /// constructed or a recycled evicted value, which the caller must reset.
  V& GetOrInsert(std::string_view key, bool& inserted) {
    return GetOrInsert(key, HashKey(key), inserted);
  }

  /// GetOrInsert with `h` = HashKey(key) already computed (a caller that looks the same key
  /// up in two caches hashes it once).
  V& GetOrInsert(std::string_view key, std::uint64_t h, bool& inserted) {
    Index i = Find(key, h);
    if (i != kNone) {
      inserted = false;
      MoveToFront(i);
      return entries_[i].value;
    }
    inserted = true;
    if (entries_.size() < capacity_) {
      // Grows with use (a large configured capacity costs nothing until filled), keeping
      // at least two buckets per entry.
      if (2 * (entries_.size() + 1) > buckets_.size()) Rehash(2 * buckets_.size());
      i = static_cast<Index>(entries_.size());
      entries_.emplace_back();
    } else {
      i = tail_;  // evict the least recent entry and reuse it
      Unlink(i);
      UnchainFromBucket(i);
    }
    Entry& e = entries_[i];
    e.key.assign(key.data(), key.size());
    e.hash = h;
    Index& head = buckets_[h & mask_];
    e.chain = head;
    head = i;
    PushFront(i);
    return e.value;
  }

  /// Inserts or replaces `key`, making it the most recent entry.
  V& Add(std::string_view key, V value) {
    bool inserted = false;
    V& slot = GetOrInsert(key, inserted);
    slot = std::move(value);
    return slot;
  }

  std::size_t size() const { return entries_.size(); }
  std::size_t capacity() const { return capacity_; }

 private:
  using Index = std::uint32_t;
  static constexpr Index kNone = ~Index{0};

  struct Entry {
    std::string key;
    std::uint64_t hash = 0;
    Index chain = kNone;  // next entry in the same bucket
    Index newer = kNone;  // towards the most recent entry
    Index older = kNone;  // towards the least recent entry
    V value{};
  };

  Index Find(std::string_view key, std::uint64_t h) const {
    for (Index i = buckets_[h & mask_]; i != kNone; i = entries_[i].chain) {
      const Entry& e = entries_[i];
      if (e.hash == h && e.key == key) return i;
    }
    return kNone;
  }

  void Rehash(std::size_t buckets) {
    buckets_.assign(buckets, kNone);
    mask_ = buckets - 1;
    for (Index i = 0; i < entries_.size(); ++i) {
      Index& head = buckets_[entries_[i].hash & mask_];
      entries_[i].chain = head;
      head = i;
    }
  }

  void UnchainFromBucket(Index i) {
    Index* link = &buckets_[entries_[i].hash & mask_];
    while (*link != i) link = &entries_[*link].chain;
    *link = entries_[i].chain;
  }

  void Unlink(Index i) {
    Entry& e = entries_[i];
    if (e.newer != kNone) {
      entries_[e.newer].older = e.older;
    } else {
      head_ = e.older;
    }
    if (e.older != kNone) {
      entries_[e.older].newer = e.newer;
    } else {
      tail_ = e.newer;
    }
    e.newer = e.older = kNone;
  }

  void PushFront(Index i) {
    Entry& e = entries_[i];
    e.newer = kNone;
    e.older = head_;
    if (head_ != kNone) entries_[head_].newer = i;
    head_ = i;
    if (tail_ == kNone) tail_ = i;
  }

  void MoveToFront(Index i) {
    if (head_ == i) return;
    Unlink(i);
    PushFront(i);
  }

  std::size_t capacity_;
  // Grows up to capacity_; references into it are valid until the next insertion.
  std::vector<Entry> entries_;
  std::vector<Index> buckets_;
  std::size_t mask_ = 0;
  Index head_ = kNone;  // most recent
  Index tail_ = kNone;  // least recent
};

}  // namespace kube::record::internal
