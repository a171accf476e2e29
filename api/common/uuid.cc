#include "kubeevents/api/common/uuid.h"

#include <algorithm>
#include <array>

#include "kubeevents/api/common/random.h"

namespace kube {

std::string FormatUUIDv4(std::span<const unsigned char, 16> random) {
  std::array<unsigned char, 16> b;
  std::copy(random.begin(), random.end(), b.begin());
  b[6] = static_cast<unsigned char>((b[6] & 0x0F) | 0x40);
  b[8] = static_cast<unsigned char>((b[8] & 0x3F) | 0x80);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (std::size_t i = 0; i < b.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    out += kHex[b[i] >> 4];
    out += kHex[b[i] & 15];
  }
  return out;
}

std::string NewUUID() {
  std::array<unsigned char, 16> b;
  FillRandomBytes(b);
  return FormatUUIDv4(b);
}

}  // namespace kube
