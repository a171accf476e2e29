#include "kubeevents/tools/localapiserver/internal/names.h"

#include <cstring>

#include "kubeevents/api/common/random.h"
#include "kubeevents/api/common/uuid.h"

namespace kube::localapiserver::internal {

std::string UIDGenerator::Next() {
  unsigned char b[16];
  {
    std::lock_guard lock(mu_);
    if (used_ + sizeof b > pool_.size()) {
      FillRandomBytes(pool_);
      used_ = 0;
    }
    std::memcpy(b, pool_.data() + used_, sizeof b);
    used_ += sizeof b;
  }
  return FormatUUIDv4(b);
}

std::string GenerateName(std::string_view base) {
  static constexpr char kAlphabet[] = "bcdfghjklmnpqrstvwxz2456789";
  if (base.size() > 58) base = base.substr(0, 58);
  unsigned char r[5];
  FillRandomBytes(r);
  std::string out(base);
  for (unsigned char c : r) out += kAlphabet[c % (sizeof kAlphabet - 1)];
  return out;
}

std::string_view MediaType(std::string_view content_type) {
  auto semi = content_type.find(';');
  auto t = content_type.substr(0, semi);
  while (!t.empty() && t.back() == ' ') t.remove_suffix(1);
  while (!t.empty() && t.front() == ' ') t.remove_prefix(1);
  return t;
}

}  // namespace kube::localapiserver::internal
