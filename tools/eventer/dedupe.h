// kube::eventer::DedupeCache: remembers the last exported resourceVersion per event uid, so a
// re-delivery of the same change (a re-list, a watch restart) is not exported twice while a
// new occurrence (MODIFIED with a count bump: a new resourceVersion) is.
#pragma once

#include <cstddef>
#include <list>
#include <string>
#include <string_view>
#include <unordered_map>

namespace kube::eventer {

/// Orders two resourceVersions when both are decimal integers (etcd's revisions, what
/// kube-apiserver and the local server hand out): <0, 0, >0. Returns nullopt-like 2 when they
/// cannot be compared (opaque versions), in which case only equality is meaningful.
int CompareResourceVersions(std::string_view a, std::string_view b);
/// The value CompareResourceVersions returns for versions that are not both integers.
inline constexpr int kIncomparable = 2;

/// An LRU map uid → newest exported resourceVersion, bounded by `capacity` (0 = off).
/// Not thread-safe (the exporter's dispatch thread owns it).
class DedupeCache {
 public:
  explicit DedupeCache(std::size_t capacity) : capacity_(capacity) {}
  /// True when (uid, rv) is not newer than what was already seen for uid (a re-delivery);
  /// otherwise records it and returns false.
  bool SeenOrRecord(const std::string& uid, const std::string& rv);
  std::size_t size() const { return map_.size(); }

 private:
  std::size_t capacity_;
  std::list<std::string> lru_;  // uids, most recent first
  struct Slot {
    std::string rv;
    std::list<std::string>::iterator pos;
  };
  std::unordered_map<std::string, Slot> map_;
};

}  // namespace kube::eventer
