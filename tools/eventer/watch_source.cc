#include "kubeevents/tools/eventer/watch_source.h"

#include <atomic>
#include <mutex>
#include <utility>

#include "kubeevents/tools/cache/reflector.h"

namespace kube::eventer {

namespace {

// The kube::cache::EventReflector behind the EventSource seam. The Reflector delivers each
// (uid, resourceVersion) once, re-lists on 410/garbage/ERROR delivering only what changed, and
// sets LastSyncResourceVersion() only after delivering what it covers — the exporter polls it
// as DeliveredVersion().
class ReflectorSource final : public EventSource {
 public:
  ReflectorSource(std::shared_ptr<rest::RESTClient> client, std::string ns, std::string selector,
                  std::shared_ptr<Logger> logger)
      : client_(std::move(client)),
        namespace_(std::move(ns)),
        selector_(std::move(selector)),
        logger_(std::move(logger)) {}
  ~ReflectorSource() override { Stop(); }

  Status Start(const std::string& resume_version, SourceHandlers handlers) override {
    Stop();
    cache::ReflectorOptions o;
    o.initial_resource_version = resume_version;
    o.logger = logger_;
    auto on_change = std::move(handlers.on_change);
    auto reflector = std::make_unique<cache::EventReflector>(
        cache::NewEventListWatch(client_, namespace_, selector_),
        [on_change, this](const cache::Delta<api::core::v1::Event>& d) {
          SourceChange c;
          c.type = d.type == cache::Delta<api::core::v1::Event>::Type::kAdded
                       ? ChangeType::kAdded
                       : (d.type == cache::Delta<api::core::v1::Event>::Type::kModified
                              ? ChangeType::kModified
                              : ChangeType::kDeleted);
          c.event = d.object;
          // Items of the first list come unordered like a re-list's (the Reflector marks only
          // re-lists): none of their versions may become a checkpoint by itself.
          const cache::EventReflector* r = current_.load();
          c.from_relist = d.from_relist || r == nullptr || !r->HasSynced();
          on_change(std::move(c));
        },
        std::move(o));
    current_ = reflector.get();
    reflector->Start();
    std::lock_guard lock(mu_);
    reflector_ = std::move(reflector);
    return Status();
  }

  void Stop() override {
    std::unique_ptr<cache::EventReflector> r;
    {
      std::lock_guard lock(mu_);
      if (!reflector_) return;
      r = std::move(reflector_);
      last_stats_ = Convert(r->Stats(), last_stats_);
      synced_before_ = synced_before_ || r->HasSynced();
    }
    r->Stop();
    current_ = nullptr;
  }

  bool HasSynced() const override {
    std::lock_guard lock(mu_);
    return reflector_ ? reflector_->HasSynced() : synced_before_;
  }

  SourceStats Stats() const override {
    std::lock_guard lock(mu_);
    return reflector_ ? Convert(reflector_->Stats(), last_stats_) : last_stats_;
  }

  std::string DeliveredVersion() const override {
    std::lock_guard lock(mu_);
    return reflector_ ? reflector_->LastSyncResourceVersion() : std::string();
  }

 private:
  // Adds a reflector's counters to those of the reflectors before it (leadership terms).
  static SourceStats Convert(const cache::ReflectorStats& s, const SourceStats& base) {
    SourceStats out = base;
    out += SourceStats{.lists = s.lists,
                       .relists = s.relists,
                       .watch_restarts = s.watch_restarts,
                       .gone_410 = s.gone_410,
                       .decode_errors = s.decode_errors,
                       .error_events = s.error_events,
                       .bookmarks = s.bookmarks};
    return out;
  }

  std::shared_ptr<rest::RESTClient> client_;
  std::string namespace_, selector_;
  std::shared_ptr<Logger> logger_;
  mutable std::mutex mu_;
  std::unique_ptr<cache::EventReflector> reflector_;
  std::atomic<const cache::EventReflector*> current_{nullptr};  // for the handler
  SourceStats last_stats_;
  bool synced_before_ = false;
};

}  // namespace

std::unique_ptr<EventSource> MakeWatchSource(std::shared_ptr<rest::RESTClient> client,
                                             std::string namespace_, std::string field_selector,
                                             std::shared_ptr<Logger> logger) {
  return std::make_unique<ReflectorSource>(std::move(client), std::move(namespace_),
                                           std::move(field_selector), std::move(logger));
}

}  // namespace kube::eventer
