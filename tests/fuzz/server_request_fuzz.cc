// The local API server's request path without sockets: raw bytes (one or more pipelined
// HTTP/1.1 requests) go through the transport's request parser (ParseRequests, the parser and
// limits a session uses) into a fresh Handler over a fresh store, and every response is checked
// the way a client reads it: a valid status code, JSON bodies that parse, errors that decode as
// metav1.Status. A watch the request starts is drained and its frames encoded.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "kubeevents/api/common/clock.h"
#include "kubeevents/api/internal/json_codec.h"
#include "kubeevents/api/json.h"
#include "kubeevents/api/meta/v1/status.h"
#include "kubeevents/tools/localapiserver/internal/handler.h"
#include "kubeevents/tools/localapiserver/internal/store.h"
#include "kubeevents/tools/localapiserver/internal/transport.h"

namespace internal = kube::localapiserver::internal;

namespace {

constexpr std::size_t kMaxBodyBytes = 64 * 1024;  // small, so the limit is reachable

void CheckResponse(const internal::Response& r) {
  const std::string code = std::to_string(r.status);
  KUBEEVENTS_FUZZ_CHECK(r.status >= 200 && r.status < 600, code);
  if (r.watch || !r.watch_error_frame.empty()) return;
  if (r.content_type == "application/json" && !r.body.empty()) {
    auto doc = kube::api::internal::ParseDocument(r.body);
    KUBEEVENTS_FUZZ_CHECK(doc.ok(), code, r.body);
  }
  if (r.status >= 400) {
    auto st = kube::api::FromJson<kube::api::meta::v1::Status>(r.body);
    KUBEEVENTS_FUZZ_CHECK(st.ok() && st->type_meta.kind == "Status" && st->code == r.status, code,
                          r.body);
  }
}

void DrainWatch(const internal::Response& r) {
  if (!r.watch) return;
  bool closed = false;
  for (const auto& change : r.watch->Drain(closed)) {
    const std::string frame = internal::EncodeWatchFrame(change, r.watch_version);
    KUBEEVENTS_FUZZ_CHECK(!frame.empty() && frame.back() == '\n', frame);
    auto doc = kube::api::internal::ParseDocument(frame);
    KUBEEVENTS_FUZZ_CHECK(doc.ok(), frame);
  }
  r.watch->Stop();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const internal::ParsedRequests parsed = internal::ParseRequests(bytes, kMaxBodyBytes);
  KUBEEVENTS_FUZZ_CHECK(parsed.consumed <= bytes.size(), "consumed past the input");
  KUBEEVENTS_FUZZ_CHECK(parsed.consumed == bytes.size() || !parsed.error.empty(),
                        "stopped without a reason");
  if (parsed.requests.empty()) return 0;

  auto clock = std::make_shared<kube::FakeClock>();
  auto store = std::make_shared<internal::EventStore>(internal::EventStore::Options{
      .ttl = std::chrono::hours(1), .clock = clock, .history = 64, .watch_queue_limit = 64});
  internal::Handler handler({.store = store,
                             .clock = clock,
                             .token = "secret",
                             .terminating_namespaces = {"dying"},
                             .max_body_bytes = kMaxBodyBytes,
                             .server_address = "127.0.0.1:6443"});
  for (const auto& request : parsed.requests) {
    const internal::Response response = handler.Handle(request);
    CheckResponse(response);
    DrainWatch(response);
    clock->Step(std::chrono::seconds(1));
  }
  store->CloseWatchers();
  return 0;
}
