// Random bytes for identifiers and secrets (UIDs, generated names, the local server's bearer
// token): one place that draws them and handles the draw failing.
#pragma once

#include <span>

namespace kube {

/// Fills `out` with cryptographically strong random bytes: OpenSSL's RAND_bytes, or, should it
/// fail (an unseeded generator), std::random_device (the kernel's getrandom on Linux). Never
/// leaves a byte unwritten.
void FillRandomBytes(std::span<unsigned char> out);

}  // namespace kube
