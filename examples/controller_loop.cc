// A realistic reconcile loop: a controller for a custom "Widget" resource (a C++ type made
// referenceable with kube::api::ObjectTraits) that writes events through the adapter —
// events.k8s.io/v1 when the server serves it, else core/v1, decided by discovery. It runs
// until SIGTERM/SIGINT (or --iterations), then flushes and reports. Exits 0 only if every
// event it emitted was accepted.
//   controller_loop [--kubeconfig PATH] [--namespace NS] [--iterations N] [--interval-ms N]
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <thread>

#include "example_support.h"
#include "kubeevents/client/event_broadcaster_adapter.h"

// The controller's own type.
struct Widget {
  kube::api::meta::v1::ObjectMeta meta;
  int desired_replicas = 3;
  int ready_replicas = 0;
};

template <>
struct kube::api::ObjectTraits<Widget> {
  static std::string_view APIVersion(const Widget&) { return "example.com/v1"; }
  static std::string_view Kind(const Widget&) { return "Widget"; }
  static const kube::api::meta::v1::ObjectMeta& Metadata(const Widget& w) { return w.meta; }
};

namespace {

// One reconcile pass: converge ready replicas toward desired and report what happened.
void Reconcile(Widget& w, int iteration, kube::events::EventRecorder& recorder) {
  if (iteration % 5 == 4) w.desired_replicas += 2;  // someone scaled the widget
  if (w.ready_replicas < w.desired_replicas) {
    const int from = w.ready_replicas++;
    recorder.Eventf(w, nullptr, "Normal", "ScalingUp", "Reconcile", "Scaled %s from %d to %d",
                    w.meta.name, from, w.ready_replicas);
  } else {
    recorder.Eventf(w, nullptr, "Normal", "Synced", "Reconcile", "Widget is in sync");
  }
  if (iteration % 4 == 3) {
    const kube::api::core::v1::ObjectReference pod{
        "Pod", w.meta.namespace_, w.meta.name + "-0", "", "v1", "", ""};
    recorder.Eventf(pod, w, "Warning", "ProbeFailed", "Probe",
                    "Readiness probe failed: HTTP probe failed with statuscode: %d", 503);
  }
}

}  // namespace

int main(int argc, char** argv) {
  const auto flags = examples::ParseFlags(argc, argv);
  const auto config = examples::LoadConfigOrExit(flags);

  // SIGTERM/SIGINT end the loop: a thread waits for them and requests stop.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::stop_source stop;
  std::jthread signal_waiter([&](std::stop_token own) {
    const timespec tick{0, 100'000'000};
    while (!own.stop_requested()) {
      if (sigtimedwait(&signals, nullptr, &tick) > 0) {
        std::printf("controller_loop: signal received, shutting down\n");
        stop.request_stop();
        return;
      }
    }
  });

  auto client = kube::rest::RESTClient::Create(config);
  if (!client.ok()) {
    std::fprintf(stderr, "%s\n", client.status().ToString().c_str());
    return 2;
  }
  // Discovery picks events.k8s.io/v1 when served, else core/v1 (client-go's adapter).
  auto adapter_ptr = kube::rest::NewEventBroadcasterAdapter(*client);
  auto& adapter = *adapter_ptr;
  adapter.StartRecordingToSink(stop.get_token());
  auto recorder = adapter.NewRecorder("example.com/widget-controller");
  std::printf("controller_loop: writing %s events\n",
              adapter.UsesEventsV1() ? "events.k8s.io/v1" : "core/v1");

  Widget widget;
  widget.meta.name = "demo-widget";
  widget.meta.namespace_ = flags.namespace_;
  widget.meta.uid = "0b6f8a52-7c1d-4c53-9d3e-5a1f00000001";
  std::mutex mu;
  std::condition_variable_any wake;
  for (int i = 0; flags.iterations == 0 || i < flags.iterations; ++i) {
    Reconcile(widget, i, *recorder);
    std::unique_lock lock(mu);
    if (wake.wait_for(lock, stop.get_token(), std::chrono::milliseconds(flags.interval_ms),
                      [] { return false; })) {
      break;
    }
    if (stop.stop_requested()) break;
  }

  const bool flushed = adapter.Flush(std::chrono::seconds(30));
  bool accepted = flushed;
  if (auto* b = adapter.events_broadcaster()) {
    const auto s = b->Stats();
    std::printf(
        "controller_loop: emitted=%llu created=%llu patched=%llu series_observed=%llu "
        "failed=%llu dropped=%llu\n",
        static_cast<unsigned long long>(s.emitted), static_cast<unsigned long long>(s.created),
        static_cast<unsigned long long>(s.patched),
        static_cast<unsigned long long>(s.series_observed),
        static_cast<unsigned long long>(s.failed_rejected + s.failed_quietly +
                                        s.failed_request_building + s.failed_retry_limit +
                                        s.failed_shutdown),
        static_cast<unsigned long long>(s.dropped_queue_full + s.dropped_invalid +
                                        s.dropped_consumer_full + s.dropped_pending_full));
    accepted = accepted && s.failed_rejected + s.failed_quietly + s.failed_request_building +
                                   s.failed_retry_limit + s.failed_shutdown + s.dropped_queue_full +
                                   s.dropped_invalid + s.dropped_consumer_full +
                                   s.dropped_pending_full ==
                               0;
  } else {
    const auto s = adapter.legacy_broadcaster().Stats();
    std::printf("controller_loop: emitted=%llu created=%llu patched=%llu failed=%llu\n",
                static_cast<unsigned long long>(s.emitted),
                static_cast<unsigned long long>(s.created),
                static_cast<unsigned long long>(s.patched),
                static_cast<unsigned long long>(s.failed_rejected + s.failed_quietly +
                                                s.failed_retry_limit + s.failed_shutdown));
    accepted = accepted && s.created + s.patched + s.skipped_spam == s.emitted;
  }
  adapter.Shutdown();
  return accepted ? 0 : 1;
}
