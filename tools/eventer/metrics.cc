#include "kubeevents/tools/eventer/metrics.h"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <map>
#include <mutex>
#include <sstream>

namespace kube::eventer {

struct Metrics::Impl {
  std::shared_ptr<prometheus::Registry> registry = std::make_shared<prometheus::Registry>();
  prometheus::Counter* seen = nullptr;
  prometheus::Family<prometheus::Counter>* filtered = nullptr;
  std::map<std::string, prometheus::Counter*> filtered_by_reason;
  struct PerReceiver {
    prometheus::Counter* exported;
    prometheus::Counter* dropped_full;
    prometheus::Counter* dropped_shutdown;
    prometheus::Counter* failed;
    prometheus::Gauge* queue;
    prometheus::Gauge* lag;
  };
  std::vector<PerReceiver> receivers;
  prometheus::Gauge *lists, *relists, *restarts, *gone, *decode, *error_events, *bookmarks;
  prometheus::Counter *checkpoint_ok, *checkpoint_fail;
  prometheus::Gauge *synced, *leader;
  std::mutex mu;  // filtered_by_reason
};

Metrics::Metrics(const std::vector<std::string>& receivers) : impl_(std::make_unique<Impl>()) {
  using namespace prometheus;
  Impl& m = *impl_;
  auto& reg = *m.registry;
  m.seen = &BuildCounter()
                .Name("kube_eventer_events_seen_total")
                .Help("Event changes received from the watches")
                .Register(reg)
                .Add({});
  m.filtered = &BuildCounter()
                    .Name("kube_eventer_events_filtered_total")
                    .Help(
                        "Event changes not exported, by reason (route, duplicate, "
                        "already_exported, too_old, deleted)")
                    .Register(reg);
  auto& exported = BuildCounter()
                       .Name("kube_eventer_events_exported_total")
                       .Help("Events acknowledged by a receiver")
                       .Register(reg);
  auto& dropped = BuildCounter()
                      .Name("kube_eventer_events_dropped_total")
                      .Help(
                          "Events a receiver could not take: queue full, or still queued at "
                          "shutdown (those are re-delivered after a restart)")
                      .Register(reg);
  auto& failed = BuildCounter()
                     .Name("kube_eventer_events_failed_total")
                     .Help("Events a receiver rejected permanently or after its retries")
                     .Register(reg);
  auto& queue = BuildGauge()
                    .Name("kube_eventer_receiver_queue_length")
                    .Help("Events waiting in a receiver's queue")
                    .Register(reg);
  auto& lag = BuildGauge()
                  .Name("kube_eventer_export_lag_seconds")
                  .Help(
                      "Time from the event's last observation to its acknowledgement by the "
                      "receiver (last exported event)")
                  .Register(reg);
  for (const auto& r : receivers) {
    m.receivers.push_back(Impl::PerReceiver{
        &exported.Add({{"receiver", r}}), &dropped.Add({{"receiver", r}, {"reason", "queue_full"}}),
        &dropped.Add({{"receiver", r}, {"reason", "shutdown"}}), &failed.Add({{"receiver", r}}),
        &queue.Add({{"receiver", r}}), &lag.Add({{"receiver", r}})});
  }
  auto gauge = [&](const char* name, const char* help) {
    return &BuildGauge().Name(name).Help(help).Register(reg).Add({});
  };
  // The watch counters are mirrored from the sources: gauges that only grow.
  m.lists = gauge("kube_eventer_watch_lists_total", "Lists (first lists and re-lists)");
  m.relists = gauge("kube_eventer_watch_relists_total", "Re-lists after a failed or expired watch");
  m.restarts = gauge("kube_eventer_watch_restarts_total", "Watch requests restarted");
  m.gone = gauge("kube_eventer_watch_gone_total", "Watches answered 410 Gone (version too old)");
  m.decode = gauge("kube_eventer_watch_decode_errors_total", "Watch frames that did not decode");
  m.error_events = gauge("kube_eventer_watch_error_events_total", "ERROR objects in watch streams");
  m.bookmarks = gauge("kube_eventer_watch_bookmarks_total", "BOOKMARK events received");
  auto& cp = BuildCounter()
                 .Name("kube_eventer_checkpoint_writes_total")
                 .Help("Checkpoint writes by result")
                 .Register(reg);
  m.checkpoint_ok = &cp.Add({{"result", "ok"}});
  m.checkpoint_fail = &cp.Add({{"result", "error"}});
  m.synced = gauge("kube_eventer_synced", "1 when every watch has delivered its first list");
  m.leader = gauge("kube_eventer_leader",
                   "1 when this replica exports (leader, or leader election off), 0 standby");
}

Metrics::~Metrics() = default;

void Metrics::Seen() { impl_->seen->Increment(); }

void Metrics::Filtered(const std::string& reason) {
  prometheus::Counter* c;
  {
    std::lock_guard lock(impl_->mu);
    auto& slot = impl_->filtered_by_reason[reason];
    if (!slot) slot = &impl_->filtered->Add({{"reason", reason}});
    c = slot;
  }
  c->Increment();
}

void Metrics::Record(std::size_t receiver, Outcome outcome) {
  auto& r = impl_->receivers.at(receiver);
  switch (outcome) {
    case Outcome::kExported:
      r.exported->Increment();
      break;
    case Outcome::kDroppedFull:
      r.dropped_full->Increment();
      break;
    case Outcome::kDroppedShutdown:
      r.dropped_shutdown->Increment();
      break;
    case Outcome::kFailed:
      r.failed->Increment();
      break;
  }
}

void Metrics::ObserveLag(std::size_t receiver, double seconds) {
  impl_->receivers.at(receiver).lag->Set(seconds);
}

void Metrics::SetQueueLength(std::size_t receiver, std::size_t length) {
  impl_->receivers.at(receiver).queue->Set(static_cast<double>(length));
}

void Metrics::SetSourceStats(const SourceStats& s) {
  impl_->lists->Set(static_cast<double>(s.lists));
  impl_->relists->Set(static_cast<double>(s.relists));
  impl_->restarts->Set(static_cast<double>(s.watch_restarts));
  impl_->gone->Set(static_cast<double>(s.gone_410));
  impl_->decode->Set(static_cast<double>(s.decode_errors));
  impl_->error_events->Set(static_cast<double>(s.error_events));
  impl_->bookmarks->Set(static_cast<double>(s.bookmarks));
}

void Metrics::CheckpointWritten(bool ok) {
  (ok ? impl_->checkpoint_ok : impl_->checkpoint_fail)->Increment();
}

void Metrics::SetSynced(bool synced) { impl_->synced->Set(synced ? 1 : 0); }
void Metrics::SetLeader(int state) { impl_->leader->Set(state == 0 ? 0 : 1); }

double Metrics::Value(const std::string& family,
                      const std::vector<std::pair<std::string, std::string>>& labels) const {
  double total = 0;
  for (const auto& f : impl_->registry->Collect()) {
    if (f.name != family) continue;
    for (const auto& m : f.metric) {
      bool match = true;
      for (const auto& [k, v] : labels) {
        bool found = false;
        for (const auto& l : m.label) found = found || (l.name == k && l.value == v);
        match = match && found;
      }
      if (!match) continue;
      total += f.type == prometheus::MetricType::Counter ? m.counter.value : m.gauge.value;
    }
  }
  return total;
}

std::string Metrics::Render() const {
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, impl_->registry->Collect());
  return out.str();
}

}  // namespace kube::eventer
