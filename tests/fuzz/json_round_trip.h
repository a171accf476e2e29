// The decode/encode round trip the Event fuzz targets check, for any type api/json.h supports:
// an input either decodes or is rejected with a message; a decoded object re-encodes to JSON
// that decodes again, and one more encode/decode round reaches a fixed point (the first decode
// may carry sub-second precision that Time's wire form drops, exactly as metav1.Time does in
// Go).
#pragma once

#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "kubeevents/api/json.h"

namespace kube::fuzz {

template <typename T>
void CheckJsonRoundTrip(std::string_view input) {
  auto first = api::FromJson<T>(input);
  if (!first.ok()) {
    KUBEEVENTS_FUZZ_CHECK(!first.status().message().empty(), "error without a message");
    return;
  }
  const std::string json1 = api::ToJson(*first);
  auto second = api::FromJson<T>(json1);
  KUBEEVENTS_FUZZ_CHECK(second.ok(), json1, second.status().message());
  // Not json1 == json2: like Go, the encoder writes an invalid UTF-8 byte as the escape \ufffd
  // but a real U+FFFD as itself, so the text settles one round later than the objects do.
  const std::string json2 = api::ToJson(*second);
  auto third = api::FromJson<T>(json2);
  KUBEEVENTS_FUZZ_CHECK(third.ok() && *third == *second, json1, json2);
  KUBEEVENTS_FUZZ_CHECK(api::ToJson(*third) == json2, json2, api::ToJson(*third));
}

}  // namespace kube::fuzz
