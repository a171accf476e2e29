// Internal: the hash of the correlator's cache keys.
//
// The keys are long concatenations (source, involved object, type, reason, message: often
// 150-250 bytes) hashed several times per event, so the hash reads 16 bytes per step and mixes
// with one 64x64->128-bit multiply. It only spreads keys over hash buckets: equal hashes are
// always confirmed by comparing the keys, so its quality affects speed, never correctness.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

namespace kube::record::internal {

namespace key_hash_detail {

inline std::uint64_t Load64(const char* p) {
  std::uint64_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

inline std::uint64_t Load32(const char* p) {
  std::uint32_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

__extension__ using Uint128 = unsigned __int128;  // GCC and Clang on 64-bit targets

// Folds the 128-bit product of a and b into 64 bits.
inline std::uint64_t MulFold(std::uint64_t a, std::uint64_t b) {
  const Uint128 r = static_cast<Uint128>(a) * b;
  return static_cast<std::uint64_t>(r) ^ static_cast<std::uint64_t>(r >> 64);
}

// Odd constants with well-mixed bits (digits of pi and e in hexadecimal).
inline constexpr std::uint64_t kP0 = 0x243f6a8885a308d3ULL;
inline constexpr std::uint64_t kP1 = 0x13198a2e03707345ULL;
inline constexpr std::uint64_t kP2 = 0xb7e151628aed2a6bULL;

}  // namespace key_hash_detail

/// A 64-bit hash of `s` for hash tables (not for anything adversarial or persistent).
inline std::uint64_t HashKey(std::string_view s) {
  using namespace key_hash_detail;
  const char* p = s.data();
  std::size_t n = s.size();
  std::uint64_t h = kP0 ^ MulFold(n ^ kP1, kP2);
  std::uint64_t a = 0;
  std::uint64_t b = 0;
  if (n > 16) {
    do {
      h = MulFold(Load64(p) ^ kP1, Load64(p + 8) ^ h);
      p += 16;
      n -= 16;
    } while (n > 16);
    // The last 16 bytes, overlapping bytes already mixed in when n < 16.
    a = Load64(p + n - 16);
    b = Load64(p + n - 8);
  } else if (n >= 8) {
    a = Load64(p);
    b = Load64(p + n - 8);
  } else if (n >= 4) {
    a = Load32(p);
    b = Load32(p + n - 4);
  } else if (n > 0) {
    a = (static_cast<std::uint64_t>(static_cast<unsigned char>(p[0])) << 16) |
        (static_cast<std::uint64_t>(static_cast<unsigned char>(p[n / 2])) << 8) |
        static_cast<std::uint64_t>(static_cast<unsigned char>(p[n - 1]));
  }
  return MulFold(MulFold(a ^ kP1, b ^ h) ^ kP2, kP0 ^ s.size());
}

}  // namespace kube::record::internal
