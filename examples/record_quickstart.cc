// core/v1 events with kube::record, the way a client-go controller records them:
// a repeated event (deduplicated into one Event with a count), a burst of similar events
// (aggregated), and a Warning. Exits 0 only if the server accepted every event.
//   record_quickstart [--kubeconfig PATH] [--namespace NS]
#include <cstdio>

#include "example_support.h"
#include "kubeevents/client/event_sink.h"
#include "kubeevents/tools/record/event_broadcaster.h"

int main(int argc, char** argv) {
  const auto flags = examples::ParseFlags(argc, argv);
  const auto config = examples::LoadConfigOrExit(flags);

  kube::record::EventBroadcaster broadcaster;  // record.NewBroadcaster()
  broadcaster.StartRecordingToSink(kube::rest::NewCoreV1EventSink(config));
  auto recorder = broadcaster.NewRecorder({"record-quickstart", ""});

  const kube::api::core::v1::ObjectReference pod{"Pod", flags.namespace_, "web-0", "", "v1", "",
                                                 ""};
  const kube::api::core::v1::ObjectReference deploy{
      "Deployment", flags.namespace_, "web", "", "apps/v1", "", ""};
  int emitted = 0;
  for (int i = 0; i < 5; ++i, ++emitted) {  // one Event, count 5
    recorder->Event(pod, "Normal", "Pulled", "Container image \"nginx:1.27\" already present");
  }
  for (int i = 1; i <= 12; ++i, ++emitted) {  // 10+ distinct messages: aggregated
    recorder->Eventf(deploy, "Normal", "ScalingReplicaSet", "Scaled up replica set web-%d to %d", i,
                     i);
  }
  recorder->Eventf(pod, "Warning", "BackOff", "Back-off restarting failed container %s", "app");
  ++emitted;

  const bool flushed = broadcaster.Flush(std::chrono::seconds(30));
  const auto s = broadcaster.Stats();
  std::printf(
      "record_quickstart: emitted=%d queued=%llu created=%llu patched=%llu "
      "aggregated=%llu skipped_spam=%llu failed=%llu dropped=%llu\n",
      emitted, static_cast<unsigned long long>(s.emitted),
      static_cast<unsigned long long>(s.created), static_cast<unsigned long long>(s.patched),
      static_cast<unsigned long long>(s.aggregated),
      static_cast<unsigned long long>(s.skipped_spam),
      static_cast<unsigned long long>(s.failed_rejected + s.failed_quietly +
                                      s.failed_request_building + s.failed_retry_limit +
                                      s.failed_shutdown),
      static_cast<unsigned long long>(s.dropped_queue_full + s.dropped_consumer_full +
                                      s.dropped_invalid + s.abandoned));
  const bool all_accepted =
      flushed && s.emitted == static_cast<unsigned>(emitted) && s.created + s.patched == s.emitted;
  return all_accepted ? 0 : 1;
}
