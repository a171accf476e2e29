// kube::record::EventCorrelator: aggregation, deduplication and spam filtering of core/v1
// events before they are written (client-go tools/record/events_cache.go).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "kubeevents/api/common/clock.h"
#include "kubeevents/api/core/v1/event.h"

namespace kube::record {

namespace internal {
template <typename V>
class LruCache;
class TokenBucket;
struct PatchTimeCache;
}  // namespace internal

/// Returns (aggregate key, local key) for an event (EventAggregatorKeyFunc).
using EventAggregatorKeyFunc =
    std::function<std::pair<std::string, std::string>(const api::core::v1::Event&)>;
/// Returns the message of an aggregated event (EventAggregatorMessageFunc).
using EventAggregatorMessageFunc = std::function<std::string(const api::core::v1::Event&)>;
/// Returns the key whose token bucket rate-limits an event (EventSpamKeyFunc).
using EventSpamKeyFunc = std::function<std::string(const api::core::v1::Event&)>;

/// Default constants (client-go values).
inline constexpr std::size_t kMaxLruCacheEntries = 4096;
inline constexpr int kDefaultSpamBurst = 25;
inline constexpr float kDefaultSpamQPS = 1.0f / 300.0f;
inline constexpr unsigned kDefaultAggregateMaxEvents = 10;
inline constexpr int kDefaultAggregateIntervalInSeconds = 600;
inline constexpr std::string_view kAggregatedMessagePrefix = "(combined from similar events): ";

/// Options of an EventCorrelator. Every zero/empty value means "use the default", as in
/// client-go (so the spam filter cannot be disabled with 0: use disable_spam_filter).
struct CorrelatorOptions {
  /// Entries in each of the three LRU caches. Default 4096.
  std::size_t lru_cache_size = 0;
  /// Spam filter token-bucket capacity per spam key; buckets start full. Default 25.
  int burst_size = 0;
  /// Spam filter refill rate in tokens per second. Default 1/300 (one every 5 minutes).
  float qps = 0;
  /// Aggregation key function. Default EventAggregatorByReasonFunc.
  EventAggregatorKeyFunc key_func;
  /// Message of an aggregated event. Default EventAggregatorByReasonMessageFunc.
  EventAggregatorMessageFunc message_func;
  /// Distinct messages within the interval before events are aggregated. Default 10.
  unsigned max_events = 0;
  /// Aggregation window in seconds (reset only when the gap is strictly greater). Default 600.
  int max_interval_in_seconds = 0;
  /// Time source for every rule. Default: the real clock.
  std::shared_ptr<Clock> clock;
  /// Spam filter key function. Default GetSpamKey.
  EventSpamKeyFunc spam_key_func;
  /// kubeevents extension: skip the spam filter entirely (client-go cannot turn it off).
  bool disable_spam_filter = false;
};

/// The dedup key: source, involvedObject (kind, namespace, name, fieldPath, uid, apiVersion),
/// type, reason, message — concatenated without separators (getEventKey).
std::string GetEventKey(const api::core::v1::Event& event);
/// Writes GetEventKey(event) into `out` (replacing its content, reusing its capacity).
void AssignEventKey(std::string& out, const api::core::v1::Event& event);
/// The default spam key: source, involvedObject (kind, namespace, name, uid, apiVersion), type.
std::string GetSpamKey(const api::core::v1::Event& event);
/// Default aggregation: key = source, involvedObject (kind, namespace, name, uid, apiVersion),
/// type, reason, reportingController, reportingInstance; local key = message.
std::pair<std::string, std::string> EventAggregatorByReasonFunc(const api::core::v1::Event& event);
/// Default aggregate message: "(combined from similar events): " + message.
std::string EventAggregatorByReasonMessageFunc(const api::core::v1::Event& event);

/// Groups similar events: once `max_events` distinct messages for one aggregate key were seen
/// within the interval, further new messages become one combined event (EventAggregator).
class EventAggregator {
 public:
  EventAggregator(std::size_t lru_cache_size, EventAggregatorKeyFunc key_func,
                  EventAggregatorMessageFunc message_func, unsigned max_events,
                  int max_interval_in_seconds, std::shared_ptr<Clock> clock);
  ~EventAggregator();
  /// Returns the event to send (the input, or a new combined event) and the cache key the
  /// dedup logger should use (the dedup key, or the aggregate key for a combined event).
  /// `combined`, when given, is set to whether a combined event was returned.
  std::pair<api::core::v1::Event, std::string> EventAggregate(api::core::v1::Event event,
                                                              bool* combined = nullptr);

 private:
  friend class EventCorrelator;
  struct Record;
  /// Sets the cache key; when `event` is folded into a combined event, builds that and
  /// returns true (else the event goes out unchanged). The combined event replaces `*owned`
  /// when given (the caller's own copy, the same object as `event`), else it is built in
  /// `combined` — in `*scratch`'s buffers when the caller passes a spare event there.
  /// `lock` is either a lock on mu_ (released as soon as the cache is done with) or empty
  /// when the caller serializes calls itself. `cache_key_hash`, when given, is set to the
  /// cache key's hash when it is already known (a combined event's aggregate key).
  bool Aggregate(const api::core::v1::Event& event, std::string& cache_key,
                 std::unique_lock<std::mutex>& lock,
                 std::unique_ptr<api::core::v1::Event>& combined,
                 api::core::v1::Event* owned = nullptr,
                 std::unique_ptr<api::core::v1::Event>* scratch = nullptr,
                 std::optional<std::uint64_t>* cache_key_hash = nullptr);
  /// Aggregate's decision and cache work without building the combined event: true when
  /// `event` is to be folded into one (then built by MakeCombined or the helpers below).
  bool Decide(const api::core::v1::Event& event, std::string& cache_key,
              std::unique_lock<std::mutex>& lock, std::optional<std::uint64_t>* cache_key_hash);
  /// The combined event for `event`, stamped now.
  api::core::v1::Event MakeCombined(const api::core::v1::Event& event) const;
  /// Turns `e` (the input or a copy of it) into the combined event in place.
  void TurnIntoCombined(api::core::v1::Event& e, const api::core::v1::Event& event,
                        Clock::time_point stamp) const;
  /// Assigns the combined event into `e`, a spare event holding anything (buffers reused).
  void AssignCombined(api::core::v1::Event& e, const api::core::v1::Event& event,
                      Clock::time_point stamp) const;
  /// Builds the combined event into a default-constructed `combined`.
  void BuildCombined(api::core::v1::Event& combined, const api::core::v1::Event& event,
                     Clock::time_point stamp) const;
  /// The fields of a combined event that do not come from the input (name, count, times...).
  static void ResetToCombined(api::core::v1::Event& e, Clock::time_point stamp);
  std::mutex mu_;
  std::string key_buf_;  // scratch for the default aggregate key (under mu_)
  std::unique_ptr<internal::LruCache<Record>> cache_;
  bool default_key_func_;
  EventAggregatorKeyFunc key_func_;
  bool default_message_func_;
  EventAggregatorMessageFunc message_func_;
  unsigned max_events_;
  std::chrono::seconds max_interval_;
  std::shared_ptr<Clock> clock_;
};

/// A token bucket per spam key; Filter returns true when the event must be skipped
/// (EventSourceObjectSpamFilter).
class EventSourceObjectSpamFilter {
 public:
  EventSourceObjectSpamFilter(std::size_t lru_cache_size, int burst, float qps,
                              std::shared_ptr<Clock> clock, EventSpamKeyFunc spam_key_func);
  ~EventSourceObjectSpamFilter();
  bool Filter(const api::core::v1::Event& event);

 private:
  std::mutex mu_;
  std::string key_buf_;  // scratch for the spam key (under mu_)
  std::unique_ptr<internal::LruCache<internal::TokenBucket>> cache_;
  bool default_spam_key_func_;
  int burst_;
  double qps_;
  std::shared_ptr<Clock> clock_;
  EventSpamKeyFunc spam_key_func_;
};

/// The outcome of EventCorrelate: the event to write, the strategic-merge patch when it
/// repeats an earlier one (empty for a first occurrence), or skip.
struct EventCorrelateResult {
  api::core::v1::Event event;
  std::string patch;
  bool skip = false;
  bool aggregated = false;  ///< kubeevents extension: `event` is a combined event
};

/// EventCorrelate without copying the event when it goes out unchanged (a first occurrence):
/// `event()` is then the input itself, which must outlive the view. (kubeevents extension,
/// used by recordToSink.)
struct EventCorrelateView {
  const api::core::v1::Event* input = nullptr;
  std::unique_ptr<api::core::v1::Event> modified;  ///< set for repeats and combined events
  std::string patch;
  bool skip = false;
  bool aggregated = false;
  const api::core::v1::Event& event() const { return modified ? *modified : *input; }
};

/// Aggregator → dedup logger → spam filter, with the caches of one sink. Thread-safe.
class EventCorrelator {
 public:
  explicit EventCorrelator(CorrelatorOptions options = {});
  ~EventCorrelator();
  EventCorrelator(const EventCorrelator&) = delete;
  EventCorrelator& operator=(const EventCorrelator&) = delete;

  /// Correlates one event. A repeat gets count/firstTimestamp/name/resourceVersion from the
  /// cache and a patch `{"count":N,"lastTimestamp":"...","message":"..."}`. The result holds
  /// a copy of `event`, changed in place where the correlator changes it, or the combined
  /// event built from it (then the input is not copied whole).
  EventCorrelateResult EventCorrelate(const api::core::v1::Event& event);
  /// The same, taking `event` over: it becomes the result's event (no copy).
  EventCorrelateResult EventCorrelate(api::core::v1::Event&& event);
  /// The same, copying the event only when the correlator changes it. `scratch`, when given,
  /// is storage for that copy (its buffers are reused; a caller correlating many events
  /// passes back the previous view's `modified`).
  EventCorrelateView Correlate(const api::core::v1::Event& event,
                               std::unique_ptr<api::core::v1::Event> scratch = nullptr);
  /// Records the server's view of a written event (count, firstTimestamp, name,
  /// resourceVersion) under its dedup key.
  void UpdateState(const api::core::v1::Event& server_event);

 private:
  struct Observation;
  struct Resolved {};
  EventCorrelator(CorrelatorOptions resolved, Resolved);
  /// The dedup logger: for a repeat, sets `modified` (a copy of the current event with
  /// count/name/firstTimestamp/resourceVersion from the cache) and the patch.
  void Observe(EventCorrelateView& view, const std::string& key, api::core::v1::Event* owned,
               std::unique_ptr<api::core::v1::Event>& scratch,
               std::optional<std::uint64_t> key_hash);
  /// Correlate; `owned`, when given, is the caller's own copy of the input, changed in place
  /// instead of copied when the event must change.
  EventCorrelateView CorrelateImpl(const api::core::v1::Event& event, api::core::v1::Event* owned,
                                   std::unique_ptr<api::core::v1::Event> scratch);
  /// EventCorrelate on the event already in `result` (changed in place).
  void CorrelateInto(EventCorrelateResult& result);
  /// The spam filter on the view's event: a skip clears the patch.
  void SpamFilter(EventCorrelateView& view);
  /// A correlated view into the result whose event it shows (a skip empties that event).
  static void TakeView(EventCorrelateResult& result, EventCorrelateView& view);
  EventAggregator aggregator_;
  std::mutex logger_mu_;
  std::string key_buf_;  // scratch cache key (under logger_mu_)
  std::unique_ptr<internal::LruCache<Observation>> logger_cache_;
  // The dedup cache's entry for key_buf_, set by every lookup of logger_cache_ (the only
  // moments its entries can move), so valid whenever key_buf_ holds a dedup key: UpdateState
  // uses it, without building and looking up the key again, when the written event's key is
  // key_buf_ (the event just correlated, the usual case). Under logger_mu_.
  Observation* key_buf_entry_ = nullptr;
  std::unique_ptr<internal::PatchTimeCache> patch_time_cache_;  // under logger_mu_
  std::unique_ptr<EventSourceObjectSpamFilter> filter_;         // null when disabled
};

/// The exact core/v1 dedup PATCH body: keys sorted, message omitted when empty, lastTimestamp
/// omitted when it is the Unix epoch (it equals the diff base) and null when zero.
std::string MakeDedupPatch(std::int32_t count, const api::meta::v1::Time& last_timestamp,
                           std::string_view message);

}  // namespace kube::record
