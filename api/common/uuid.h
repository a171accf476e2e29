// Random (version 4) UUIDs, as apimachinery's util/uuid makes them: object UIDs in the local
// API server, event names that are not DNS-1123 subdomains in the recorders.
#pragma once

#include <span>
#include <string>

namespace kube {

/// The canonical lower-case text of the version 4 UUID made of `random` (16 random bytes): the
/// version and variant bits are set, the other 122 bits kept. For callers that draw random
/// bytes in bulk.
std::string FormatUUIDv4(std::span<const unsigned char, 16> random);

/// A fresh random (version 4) UUID (its random bits from FillRandomBytes, random.h).
std::string NewUUID();

}  // namespace kube
