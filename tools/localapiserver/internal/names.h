// Object identity helpers kube-apiserver applies on create, shared by the event and lease
// handlers: a random UUID for metadata.uid and names.SimpleNameGenerator for generateName.
#pragma once

#include <string>
#include <string_view>

namespace kube::localapiserver::internal {

/// A random (version 4) UUID in its canonical 36-character form, for metadata.uid.
std::string NewUID();

/// apiserver's names.SimpleNameGenerator: `base` (cut to 58 bytes) + 5 random alphanumerics.
std::string GenerateName(std::string_view base);

/// The media type of a Content-Type or Accept entry: what precedes ';', trimmed.
std::string_view MediaType(std::string_view content_type);

}  // namespace kube::localapiserver::internal
