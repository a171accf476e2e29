// The watch stream decoder (client/rest/internal/watch_decoder.h): the input is a watch response
// body. It is fed whole and again in pieces (the first input byte seeds the split points), and
// both ways must give the same events and the same error; each event's object is decoded as the
// typed watch would (core/v1 Event, events.k8s.io/v1 Event, Status, resourceVersion).
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "kubeevents/client/rest/internal/watch_decoder.h"
#include "kubeevents/client/rest/watch.h"

namespace internal = kube::rest::internal;

namespace {

struct Decoded {
  std::vector<kube::rest::RawWatchEvent> events;
  kube::Status error;
  kube::Status finish;
};

Decoded FeedInPieces(std::string_view body, std::uint32_t seed) {
  internal::WatchDecoder decoder(1u << 16);
  Decoded out;
  std::size_t pos = 0;
  while (pos < body.size()) {
    seed = seed * 1103515245u + 12345u;
    const std::size_t n = seed == 0 ? body.size() : 1 + (seed >> 16) % 97;
    auto piece = decoder.Feed(body.substr(pos, n));
    pos += std::min(n, body.size() - pos);
    for (auto& e : piece.events) out.events.push_back(std::move(e));
    if (!piece.error.ok()) {
      out.error = piece.error;
      // Sticky: more bytes give the same error and no events.
      auto again = decoder.Feed("{\"type\":\"ADDED\",\"object\":{}}\n");
      KUBEEVENTS_FUZZ_CHECK(again.events.empty() && again.error == piece.error,
                            piece.error.ToString(), again.error.ToString());
      return out;
    }
  }
  out.finish = decoder.Finish();
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint32_t seed = data[0];
  const std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
  const Decoded whole = FeedInPieces(body, 0);
  const Decoded pieces = FeedInPieces(body, seed | 1u);
  KUBEEVENTS_FUZZ_CHECK(whole.events == pieces.events, "events differ when split");
  KUBEEVENTS_FUZZ_CHECK(whole.error.ok() == pieces.error.ok(), whole.error.ToString(),
                        pieces.error.ToString());
  KUBEEVENTS_FUZZ_CHECK(whole.finish.ok() == pieces.finish.ok(), whole.finish.ToString(),
                        pieces.finish.ToString());
  for (const auto& e : whole.events) {
    (void)kube::rest::DecodeCoreEvent(e);
    (void)kube::rest::DecodeEventsV1Event(e);
    (void)kube::rest::DecodeStatus(e);
    (void)kube::rest::DecodeResourceVersion(e);
  }
  return 0;
}
