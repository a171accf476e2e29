// The Reflector loop: list (paged) → deliver the differences from what was delivered before →
// watch from the list's resourceVersion → on a clean end re-watch at once, on a broken stream
// re-watch after a backoff, on 410 Gone / garbage / ERROR re-list. One thread, one loop.
#include "kubeevents/tools/cache/reflector.h"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <random>
#include <stop_token>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "kubeevents/client/rest/watch.h"

namespace kube::cache {

namespace {

template <typename T>
struct Traits;

template <>
struct Traits<api::core::v1::Event> {
  using List = api::core::v1::EventList;
  static StatusOr<api::core::v1::Event> Decode(const rest::RawWatchEvent& e) {
    return rest::DecodeCoreEvent(e);
  }
};

template <>
struct Traits<api::events::v1::Event> {
  using List = api::events::v1::EventList;
  static StatusOr<api::events::v1::Event> Decode(const rest::RawWatchEvent& e) {
    return rest::DecodeEventsV1Event(e);
  }
};

// Resource versions are opaque to clients, but the apiserver's are etcd revisions: compare
// numerically when both are numbers, otherwise treat `a` as newer (deliver rather than drop).
bool NewerThan(const std::string& a, const std::string& b) {
  std::uint64_t x = 0, y = 0;
  auto parse = [](const std::string& s, std::uint64_t& out) {
    if (s.empty() || s.size() > 19) return false;
    out = 0;
    for (char c : s) {
      if (c < '0' || c > '9') return false;
      out = out * 10 + static_cast<std::uint64_t>(c - '0');
    }
    return true;
  };
  if (!parse(a, x) || !parse(b, y)) return true;
  return x > y;
}

enum class WatchOutcome { kEnded, kBroken, kRelistNow, kRelistAfterBackoff, kStopped };

}  // namespace

template <typename T>
struct Reflector<T>::Impl {
  Impl(ListWatch lw, Handler h, ReflectorOptions o)
      : list_watch(std::move(lw)), handler(std::move(h)), options(std::move(o)) {
    logger = options.logger ? options.logger : MakeDefaultLogger();
    step = options.initial_backoff;
  }

  ListWatch list_watch;
  Handler handler;
  ReflectorOptions options;
  std::shared_ptr<Logger> logger;
  std::jthread thread;
  std::mutex thread_mu;  // Start/Stop

  mutable std::mutex mu;  // rv, synced, stats
  std::string last_rv;
  bool synced = false;
  ReflectorStats stats;

  // Reflector thread only:
  struct Known {
    std::string resource_version;
    std::string namespace_;
    std::string name;
    std::uint64_t seq = 0;
  };
  std::unordered_map<std::string, Known> known;
  std::deque<std::pair<std::string, std::uint64_t>> order;  // eviction order (lazy)
  std::uint64_t seq = 0;
  std::string resume_floor;  // the checkpoint resourceVersion, when resuming
  std::mt19937_64 rng{std::random_device{}()};
  std::chrono::milliseconds step;
  std::chrono::steady_clock::time_point last_backoff{};

  template <typename F>
  void Count(F f) {
    std::lock_guard lock(mu);
    f(stats);
  }

  void SetRV(const std::string& rv) {
    if (rv.empty()) return;
    std::lock_guard lock(mu);
    last_rv = rv;
  }

  void SetSynced() {
    std::lock_guard lock(mu);
    synced = true;
  }

  static std::string KeyOf(const T& obj) {
    if (!obj.metadata.uid.empty()) return obj.metadata.uid;
    return obj.metadata.namespace_ + "/" + obj.metadata.name;
  }

  void Remember(const std::string& key, const T& obj) {
    auto& k = known[key];
    k.resource_version = obj.metadata.resource_version;
    k.namespace_ = obj.metadata.namespace_;
    k.name = obj.metadata.name;
    k.seq = ++seq;
    order.emplace_back(key, k.seq);
    while (known.size() > options.max_known_objects && !order.empty()) {
      auto [old_key, old_seq] = std::move(order.front());
      order.pop_front();
      if (auto it = known.find(old_key); it != known.end() && it->second.seq == old_seq) {
        known.erase(it);
      }
    }
    if (order.size() > 2 * known.size() + 1024) {
      std::deque<std::pair<std::string, std::uint64_t>> kept;
      for (auto& entry : order) {
        if (auto it = known.find(entry.first);
            it != known.end() && it->second.seq == entry.second) {
          kept.push_back(std::move(entry));
        }
      }
      order.swap(kept);
    }
  }

  void Deliver(typename Delta<T>::Type type, T obj, bool from_relist) {
    Count([&](ReflectorStats& s) {
      if (type == Delta<T>::Type::kAdded) ++s.added;
      if (type == Delta<T>::Type::kModified) ++s.modified;
      if (type == Delta<T>::Type::kDeleted) ++s.deleted;
    });
    Delta<T> d{type, std::move(obj), from_relist};
    handler(d);
  }

  // A change from the watch stream.
  void OnWatchObject(rest::WatchEventType type, T obj) {
    const std::string key = KeyOf(obj);
    auto it = known.find(key);
    if (type != rest::WatchEventType::kDeleted && it != known.end() &&
        it->second.resource_version == obj.metadata.resource_version) {
      Count([](ReflectorStats& s) { ++s.deduped; });
      return;
    }
    const std::string rv = obj.metadata.resource_version;
    typename Delta<T>::Type t = Delta<T>::Type::kAdded;
    if (type == rest::WatchEventType::kDeleted) {
      t = Delta<T>::Type::kDeleted;
      if (it != known.end()) known.erase(it);
    } else {
      t = type == rest::WatchEventType::kModified ? Delta<T>::Type::kModified
                                                  : Delta<T>::Type::kAdded;
      Remember(key, obj);
    }
    Deliver(t, std::move(obj), false);
    SetRV(rv);
  }

  // Lists every page; delivers the differences from `known`. Sets `rv` on success.
  Status List(std::stop_token stop, bool relist, std::string& rv) {
    std::vector<T> items;
    std::string list_rv;
    ListOptions o;
    o.limit = options.page_size;
    for (;;) {
      auto result = list_watch.List(o, stop);
      auto list = result.template Into<typename Traits<T>::List>();
      if (!list.ok()) return list.status();
      if (list_rv.empty()) list_rv = list->metadata.resource_version;
      for (auto& item : list->items) items.push_back(std::move(item));
      if (list->metadata.continue_token.empty() || options.page_size <= 0) break;
      o.continue_token = list->metadata.continue_token;
    }
    // Decide against what was delivered before, then remember the listed versions.
    std::unordered_set<std::string> seen;
    std::vector<std::pair<std::size_t, typename Delta<T>::Type>> deliver;
    for (std::size_t i = 0; i < items.size(); ++i) {
      const T& item = items[i];
      const std::string key = KeyOf(item);
      seen.insert(key);
      auto it = known.find(key);
      if (it != known.end() && it->second.resource_version == item.metadata.resource_version) {
        Count([](ReflectorStats& s) { ++s.deduped; });
      } else if (it == known.end() && !resume_floor.empty() &&
                 !NewerThan(item.metadata.resource_version, resume_floor)) {
        // Resumed from a checkpoint: the consumer saw this version before it.
        Count([](ReflectorStats& s) { ++s.deduped; });
      } else {
        deliver.emplace_back(
            i, it == known.end() ? Delta<T>::Type::kAdded : Delta<T>::Type::kModified);
      }
    }
    std::vector<std::pair<std::string, Known>> gone;
    if (relist) {
      for (const auto& [key, k] : known) {
        if (!seen.contains(key)) gone.emplace_back(key, k);
      }
      for (const auto& g : gone) known.erase(g.first);
    }
    for (const T& item : items) Remember(KeyOf(item), item);
    for (auto& [index, type] : deliver) {
      if (stop.stop_requested()) return Status(StatusCode::kCancelled, "stopped");
      Deliver(type, std::move(items[index]), relist);
    }
    for (auto& [key, k] : gone) {
      if (stop.stop_requested()) return Status(StatusCode::kCancelled, "stopped");
      T obj;
      obj.metadata.namespace_ = k.namespace_;
      obj.metadata.name = k.name;
      obj.metadata.uid = key.find('/') == std::string::npos ? key : "";
      obj.metadata.resource_version = k.resource_version;
      Deliver(Delta<T>::Type::kDeleted, std::move(obj), true);
    }
    rv = list_rv;
    SetRV(list_rv);
    Count([&](ReflectorStats& s) {
      ++s.lists;
      if (relist) ++s.relists;
    });
    return Status();
  }

  WatchOutcome RunWatch(rest::WatchStream& stream, std::string& rv, std::stop_token stop) {
    for (;;) {
      auto frame = stream.Next();
      if (stop.stop_requested()) return WatchOutcome::kStopped;
      if (!frame.ok()) {
        const Status& s = frame.status();
        if (rest::IsEndOfStream(s)) return WatchOutcome::kEnded;
        if (s.origin() == ErrorOrigin::kDecode) {
          Count([](ReflectorStats& st) { ++st.decode_errors; });
          logger->Warning("Watch stream is not decodable; re-listing",
                          {{"resource", list_watch.resource()}, {"err", s.message()}});
          return WatchOutcome::kRelistAfterBackoff;
        }
        if (s.code() == StatusCode::kCancelled) return WatchOutcome::kStopped;
        logger->Info(
            2, "Watch stream broken; re-watching from the last resourceVersion",
            {{"resource", list_watch.resource()}, {"resourceVersion", rv}, {"err", s.message()}});
        return WatchOutcome::kBroken;
      }
      switch (frame->type) {
        case rest::WatchEventType::kBookmark: {
          auto bookmark_rv = rest::DecodeResourceVersion(*frame);
          if (!bookmark_rv.ok() || bookmark_rv->empty()) {
            Count([](ReflectorStats& st) { ++st.decode_errors; });
            logger->Warning("Undecodable BOOKMARK; re-listing",
                            {{"err", bookmark_rv.ok() ? "no resourceVersion"
                                                      : bookmark_rv.status().message()}});
            return WatchOutcome::kRelistAfterBackoff;
          }
          Count([](ReflectorStats& st) { ++st.bookmarks; });
          rv = *bookmark_rv;
          SetRV(rv);
          break;
        }
        case rest::WatchEventType::kError: {
          const Status s = rest::ErrorEventStatus(*frame);
          Count([](ReflectorStats& st) { ++st.error_events; });
          if (rest::IsResourceExpired(s)) {
            Count([](ReflectorStats& st) { ++st.gone_410; });
            logger->Info(2, "Watch resourceVersion expired; re-listing",
                         {{"resource", list_watch.resource()}, {"err", s.message()}});
            return WatchOutcome::kRelistNow;
          }
          logger->Warning("Watch ERROR event; re-listing",
                          {{"resource", list_watch.resource()}, {"err", s.message()}});
          return WatchOutcome::kRelistAfterBackoff;
        }
        default: {
          auto obj = Traits<T>::Decode(*frame);
          if (!obj.ok()) {
            Count([](ReflectorStats& st) { ++st.decode_errors; });
            logger->Warning("Undecodable watch object; re-listing",
                            {{"resource", list_watch.resource()}, {"err", obj.status().message()}});
            return WatchOutcome::kRelistAfterBackoff;
          }
          if (!obj->metadata.resource_version.empty()) rv = obj->metadata.resource_version;
          OnWatchObject(frame->type, *std::move(obj));
        }
      }
    }
  }

  // Waits the next backoff step (false when stopped meanwhile).
  bool Backoff(std::stop_token stop) {
    const auto now = std::chrono::steady_clock::now();
    if (last_backoff != std::chrono::steady_clock::time_point{} &&
        now - last_backoff > options.backoff_reset) {
      step = options.initial_backoff;
    }
    std::uniform_real_distribution<double> u(0.0, 1.0);
    const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(
        step * (1.0 + options.jitter * u(rng)));
    step = std::min(options.max_backoff, step * 2);
    std::mutex m;
    std::condition_variable_any cv;
    std::unique_lock lock(m);
    cv.wait_for(lock, stop, wait, [] { return false; });
    last_backoff = std::chrono::steady_clock::now();
    return !stop.stop_requested();
  }

  void Run(std::stop_token stop) {
    std::string rv = options.initial_resource_version;
    resume_floor = rv;
    SetRV(rv);
    bool need_list = rv.empty();
    bool relist = false;
    while (!stop.stop_requested()) {
      if (need_list) {
        Status s = List(stop, relist, rv);
        if (stop.stop_requested()) return;
        if (!s.ok()) {
          Count([](ReflectorStats& st) { ++st.list_errors; });
          logger->Warning("Failed to list",
                          {{"resource", list_watch.resource()}, {"err", s.message()}});
          if (!Backoff(stop)) return;
          continue;
        }
        need_list = false;
        relist = true;
        SetSynced();
      }
      ListOptions o;
      o.resource_version = rv;
      o.allow_watch_bookmarks = options.allow_watch_bookmarks;
      std::uniform_real_distribution<double> u(0.0, 1.0);
      o.timeout_seconds =
          static_cast<int>(static_cast<double>(options.min_watch_timeout.count()) * (1.0 + u(rng)));
      o.idle_timeout =
          options.watch_idle_timeout.count() > 0
              ? options.watch_idle_timeout
              : std::chrono::milliseconds(std::chrono::seconds(o.timeout_seconds + 60));
      auto stream = list_watch.Watch(o, stop);
      if (stop.stop_requested()) return;
      if (!stream.ok()) {
        if (rest::IsResourceExpired(stream.status())) {
          Count([](ReflectorStats& st) { ++st.gone_410; });
          need_list = true;
          relist = true;
          continue;
        }
        Count([](ReflectorStats& st) { ++st.watch_errors; });
        logger->Warning("Failed to watch",
                        {{"resource", list_watch.resource()}, {"err", stream.status().message()}});
        if (!Backoff(stop)) return;
        continue;
      }
      Count([](ReflectorStats& st) { ++st.watches; });
      SetSynced();
      const WatchOutcome outcome = RunWatch(*stream, rv, stop);
      switch (outcome) {
        case WatchOutcome::kStopped:
          return;
        case WatchOutcome::kEnded:
          Count([](ReflectorStats& st) { ++st.watch_restarts; });
          break;
        case WatchOutcome::kBroken:
          Count([](ReflectorStats& st) {
            ++st.watch_errors;
            ++st.watch_restarts;
          });
          if (!Backoff(stop)) return;
          break;
        case WatchOutcome::kRelistNow:
          need_list = true;
          relist = true;
          break;
        case WatchOutcome::kRelistAfterBackoff:
          need_list = true;
          relist = true;
          if (!Backoff(stop)) return;
          break;
      }
    }
  }
};

template <typename T>
Reflector<T>::Reflector(ListWatch list_watch, Handler handler, ReflectorOptions options)
    : impl_(std::make_unique<Impl>(std::move(list_watch), std::move(handler), std::move(options))) {
}

template <typename T>
Reflector<T>::~Reflector() {
  Stop();
}

template <typename T>
void Reflector<T>::Start() {
  std::lock_guard lock(impl_->thread_mu);
  if (impl_->thread.joinable()) return;
  impl_->thread = std::jthread([impl = impl_.get()](std::stop_token stop) { impl->Run(stop); });
}

template <typename T>
void Reflector<T>::Stop() {
  std::jthread thread;
  {
    std::lock_guard lock(impl_->thread_mu);
    if (!impl_->thread.joinable()) return;
    impl_->thread.request_stop();
    if (impl_->thread.get_id() == std::this_thread::get_id()) return;  // from the handler
    thread = std::move(impl_->thread);
  }
  thread.join();
}

template <typename T>
std::string Reflector<T>::LastSyncResourceVersion() const {
  std::lock_guard lock(impl_->mu);
  return impl_->last_rv;
}

template <typename T>
bool Reflector<T>::HasSynced() const {
  std::lock_guard lock(impl_->mu);
  return impl_->synced;
}

template <typename T>
ReflectorStats Reflector<T>::Stats() const {
  std::lock_guard lock(impl_->mu);
  return impl_->stats;
}

template class Reflector<api::core::v1::Event>;
template class Reflector<api::events::v1::Event>;

ListWatch NewEventListWatch(std::shared_ptr<rest::RESTClient> client, std::string namespace_,
                            std::string field_selector, std::string label_selector) {
  return ListWatch(std::move(client), "v1", "events", std::move(namespace_),
                   std::move(field_selector), std::move(label_selector));
}

ListWatch NewEventsV1ListWatch(std::shared_ptr<rest::RESTClient> client, std::string namespace_,
                               std::string field_selector, std::string label_selector) {
  return ListWatch(std::move(client), "events.k8s.io/v1", "events", std::move(namespace_),
                   std::move(field_selector), std::move(label_selector));
}

}  // namespace kube::cache
