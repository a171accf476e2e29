#include "kubeevents/tools/localapiserver/internal/names.h"

#include <cstring>

#include <openssl/rand.h>

namespace kube::localapiserver::internal {

namespace {

// The canonical form of 16 random bytes as a version 4 UUID.
std::string FormatUID(const unsigned char* random) {
  unsigned char b[16];
  std::memcpy(b, random, sizeof b);
  b[6] = static_cast<unsigned char>((b[6] & 0x0F) | 0x40);
  b[8] = static_cast<unsigned char>((b[8] & 0x3F) | 0x80);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    out += kHex[b[i] >> 4];
    out += kHex[b[i] & 15];
  }
  return out;
}

}  // namespace

std::string NewUID() {
  unsigned char b[16];
  RAND_bytes(b, sizeof b);
  return FormatUID(b);
}

std::string UIDGenerator::Next() {
  unsigned char b[16];
  {
    std::lock_guard lock(mu_);
    if (used_ + sizeof b > pool_.size()) {
      RAND_bytes(pool_.data(), static_cast<int>(pool_.size()));
      used_ = 0;
    }
    std::memcpy(b, pool_.data() + used_, sizeof b);
    used_ += sizeof b;
  }
  return FormatUID(b);
}

std::string GenerateName(std::string_view base) {
  static constexpr char kAlphabet[] = "bcdfghjklmnpqrstvwxz2456789";
  if (base.size() > 58) base = base.substr(0, 58);
  unsigned char r[5];
  RAND_bytes(r, sizeof r);
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
