// events.k8s.io/v1 Event (and EventList) decoding: any input decodes or is rejected with an error,
// and what decodes round-trips (json_round_trip.h).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "json_round_trip.h"
#include "kubeevents/api/events/v1/event.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  kube::fuzz::CheckJsonRoundTrip<kube::api::events::v1::Event>(input);
  kube::fuzz::CheckJsonRoundTrip<kube::api::events::v1::EventList>(input);
  return 0;
}
