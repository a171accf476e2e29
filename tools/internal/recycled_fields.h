// Internal: writing into a recycled event (tools/internal/event_pool.h) only what differs.
//
// Most fields of an event repeat from the one its buffers held before (same recorder, same
// object); leaving them unwritten leaves their cache lines shared with the consumer that read
// them instead of taking them back from its core.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <map>
#include <string>
#include <string_view>

#include "kubeevents/api/core/v1/object_reference.h"

namespace kube::tools::internal {

/// The first and the last sizeof(Word) of `n` bytes (overlapping when n < 2 words) compare
/// equal: for sizeof(Word) <= n <= 2 * sizeof(Word), the whole range does.
template <typename Word>
bool SameEnds(const char* a, const char* b, std::size_t n) {
  Word a0, b0, a1, b1;
  std::memcpy(&a0, a, sizeof(Word));
  std::memcpy(&b0, b, sizeof(Word));
  std::memcpy(&a1, a + n - sizeof(Word), sizeof(Word));
  std::memcpy(&b1, b + n - sizeof(Word), sizeof(Word));
  return ((a0 ^ b0) | (a1 ^ b1)) == 0;
}

/// `a == b`, inline for the short strings an event is mostly made of (names, kinds, reasons):
/// one or two word compares instead of a call to memcmp per field.
inline bool SameBytes(std::string_view a, std::string_view b) {
  const std::size_t n = a.size();
  if (n != b.size()) return false;
  if (n > 16) return std::memcmp(a.data(), b.data(), n) == 0;
  if (n >= 8) return SameEnds<std::uint64_t>(a.data(), b.data(), n);
  if (n >= 4) return SameEnds<std::uint32_t>(a.data(), b.data(), n);
  for (std::size_t i = 0; i < n; ++i) {
    if (a[i] != b[i]) return false;
  }
  return true;
}

/// Assigns `value` to a recycled event's `field` unless it already holds it.
inline void AssignIfDifferent(std::string& field, std::string_view value) {
  if (!SameBytes(field, value)) field.assign(value);
}

/// A recycled event's annotations: `from` when given (assigned only if different), else none.
inline void AssignAnnotations(std::map<std::string, std::string>& to,
                              const std::map<std::string, std::string>* from) {
  if (from != nullptr) {
    if (to != *from) to = *from;
  } else if (!to.empty()) {
    to.clear();
  }
}

/// AssignIfDifferent for each field of a recycled event's object reference.
inline void AssignReference(api::core::v1::ObjectReference& to,
                            const api::core::v1::ObjectReference& from) {
  AssignIfDifferent(to.kind, from.kind);
  AssignIfDifferent(to.namespace_, from.namespace_);
  AssignIfDifferent(to.name, from.name);
  AssignIfDifferent(to.uid, from.uid);
  AssignIfDifferent(to.api_version, from.api_version);
  AssignIfDifferent(to.resource_version, from.resource_version);
  AssignIfDifferent(to.field_path, from.field_path);
}

}  // namespace kube::tools::internal
