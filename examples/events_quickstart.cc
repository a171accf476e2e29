// events.k8s.io/v1 events with kube::events: a singleton, and a storm of isomorphic events
// that becomes one Event with a series (one create, one patch). Exits 0 only if the server
// accepted every write.
//   events_quickstart [--kubeconfig PATH] [--namespace NS]
#include <cstdio>

#include "example_support.h"
#include "kubeevents/client/event_sink.h"
#include "kubeevents/tools/events/event_broadcaster.h"

int main(int argc, char** argv) {
  const auto flags = examples::ParseFlags(argc, argv);
  const auto config = examples::LoadConfigOrExit(flags);

  kube::events::EventBroadcaster broadcaster(kube::rest::NewEventsV1EventSink(config));
  if (auto st = broadcaster.StartRecordingToSink(); !st.ok()) {
    std::fprintf(stderr, "%s\n", st.ToString().c_str());
    return 1;
  }
  auto recorder = broadcaster.NewRecorder("example.com/events-quickstart");

  const kube::api::core::v1::ObjectReference pod{
      "Pod", flags.namespace_, "batch-job-7", "", "v1", "", ""};
  const kube::api::core::v1::ObjectReference node{"Node", "", "worker-1", "", "v1", "", ""};
  recorder->Eventf(pod, node, "Normal", "Scheduled", "Binding", "Assigned %s to %s", "batch-job-7",
                   "worker-1");
  for (int i = 0; i < 20; ++i) {  // isomorphic: one Event with series.count 2 on the server,
                                  // the true count follows with the 6-min finish/30-min refresh
    recorder->Eventf(pod, nullptr, "Warning", "FailedMount", "Mounting",
                     "MountVolume.SetUp failed for volume \"data\": attempt %d", i + 1);
  }

  const bool flushed = broadcaster.Flush(std::chrono::seconds(30));
  const auto s = broadcaster.Stats();
  std::printf(
      "events_quickstart: emitted=%llu created=%llu patched=%llu series_started=%llu "
      "series_observed=%llu failed=%llu dropped=%llu\n",
      static_cast<unsigned long long>(s.emitted), static_cast<unsigned long long>(s.created),
      static_cast<unsigned long long>(s.patched), static_cast<unsigned long long>(s.series_started),
      static_cast<unsigned long long>(s.series_observed),
      static_cast<unsigned long long>(s.failed_rejected + s.failed_quietly +
                                      s.failed_request_building + s.failed_retry_limit +
                                      s.failed_shutdown),
      static_cast<unsigned long long>(s.dropped_queue_full + s.dropped_consumer_full +
                                      s.dropped_pending_full + s.abandoned));
  const bool all_accepted = flushed && s.emitted == 21 && s.created == 2 && s.patched == 1;
  return all_accepted ? 0 : 1;
}
