#include "kubeevents/tools/eventer/dedupe.h"

namespace kube::eventer {

int CompareResourceVersions(std::string_view a, std::string_view b) {
  auto digits = [](std::string_view s) {
    if (s.empty() || s.size() > 19) return false;
    for (char c : s) {
      if (c < '0' || c > '9') return false;
    }
    return true;
  };
  if (!digits(a) || !digits(b)) return a == b ? 0 : kIncomparable;
  while (a.size() > 1 && a.front() == '0') a.remove_prefix(1);
  while (b.size() > 1 && b.front() == '0') b.remove_prefix(1);
  if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  const int c = a.compare(b);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

bool DedupeCache::SeenOrRecord(const std::string& uid, const std::string& rv) {
  if (capacity_ == 0 || uid.empty()) return false;
  auto it = map_.find(uid);
  if (it != map_.end()) {
    const int c = CompareResourceVersions(rv, it->second.rv);
    lru_.splice(lru_.begin(), lru_, it->second.pos);
    if (c == 0 || c == -1) return true;
    it->second.rv = rv;
    return false;
  }
  lru_.push_front(uid);
  map_.emplace(uid, Slot{rv, lru_.begin()});
  if (map_.size() > capacity_) {
    map_.erase(lru_.back());
    lru_.pop_back();
  }
  return false;
}

}  // namespace kube::eventer
