// Object identity helpers kube-apiserver applies on create, shared by the event and lease
// handlers: a random UUID for metadata.uid and names.SimpleNameGenerator for generateName.
#pragma once

#include <array>
#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>

namespace kube::localapiserver::internal {

/// NewUUID (api/common/uuid.h) for a steady stream of creates: OpenSSL's RAND_bytes costs about 9
/// 000 instructions a call whatever the size, so this draws its random bytes 4 KiB (256 UIDs) at a
/// time. Thread-safe.
class UIDGenerator {
 public:
  /// The next random UID (the same form as NewUUID).
  std::string Next();

 private:
  std::mutex mu_;
  std::array<unsigned char, 4096> pool_{};
  std::size_t used_ = pool_.size();  // bytes of pool_ handed out
};

/// apiserver's names.SimpleNameGenerator: `base` (cut to 58 bytes) + 5 random alphanumerics.
std::string GenerateName(std::string_view base);

/// The media type of a Content-Type or Accept entry: what precedes ';', trimmed.
std::string_view MediaType(std::string_view content_type);

}  // namespace kube::localapiserver::internal
