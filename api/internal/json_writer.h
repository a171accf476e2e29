// Internal: a small streaming JSON writer that escapes strings exactly as Go's encoding/json
// does (HTML-safe \u003c \u003e \u0026, U+2028/U+2029, invalid UTF-8 → U+FFFD), so bytes on
// the wire match what client-go sends. Not installed.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace kube::api::internal {

class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}

  void StartObject();
  void EndObject();
  void StartArray();
  void EndArray();
  /// An object key (call before each member value).
  void Key(std::string_view key);
  void String(std::string_view value);
  void Int(std::int64_t value);
  void Uint(std::uint64_t value);
  void Double(double value);
  void Bool(bool value);
  void Null();
  /// Inserts already-encoded JSON as a value.
  void Raw(std::string_view json);
  /// A string value whose bytes `append(out)` appends to the output itself, for text that
  /// never needs escaping (a formatted timestamp): no temporary string.
  template <typename Append>
  void StringWith(Append&& append) {
    BeforeValue();
    out_.push_back('"');
    append(out_);
    out_.push_back('"');
  }

 private:
  void BeforeValue();
  std::string& out_;
  // Per open container, whether no member was written yet (1) or some was (0): a string, so
  // that the usual depth (under 16) lives in its inline buffer with no allocation.
  std::string first_;
  bool after_key_ = false;
};

/// Appends `value` as a quoted JSON string with Go's escaping rules.
void AppendQuoted(std::string& out, std::string_view value);

}  // namespace kube::api::internal
