// events.k8s.io/v1 Event (and EventList) decoding: any input either decodes or is rejected with an
// error; a decoded event re-encodes to JSON that decodes again, and one encode/decode round reaches
// a fixed point (the first decode may carry sub-second precision that Time's wire form drops,
// exactly as metav1.Time does in Go).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.h"
#include "kubeevents/api/events/v1/event.h"
#include "kubeevents/api/json.h"

namespace v1 = kube::api::events::v1;

template <typename T>
static void RoundTrip(std::string_view input) {
  auto first = kube::api::FromJson<T>(input);
  if (!first.ok()) {
    KUBEEVENTS_FUZZ_CHECK(!first.status().message().empty(), "error without a message");
    return;
  }
  const std::string json1 = kube::api::ToJson(*first);
  auto second = kube::api::FromJson<T>(json1);
  KUBEEVENTS_FUZZ_CHECK(second.ok(), json1, second.status().message());
  // Not json1 == json2: like Go, the encoder writes an invalid UTF-8 byte as the escape \ufffd
  // but a real U+FFFD as itself, so the text settles one round later than the objects do.
  const std::string json2 = kube::api::ToJson(*second);
  auto third = kube::api::FromJson<T>(json2);
  KUBEEVENTS_FUZZ_CHECK(third.ok() && *third == *second, json1, json2);
  KUBEEVENTS_FUZZ_CHECK(kube::api::ToJson(*third) == json2, json2, kube::api::ToJson(*third));
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  RoundTrip<v1::Event>(input);
  RoundTrip<v1::EventList>(input);
  return 0;
}
