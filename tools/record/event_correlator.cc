#include "kubeevents/tools/record/event_correlator.h"

#include <charconv>
#include <vector>

#include "kubeevents/api/internal/json_writer.h"
#include "kubeevents/tools/record/event_util.h"
#include "kubeevents/tools/record/internal/lru_cache.h"
#include "kubeevents/tools/record/internal/token_bucket.h"

namespace kube::record {

using api::core::v1::Event;

namespace {

// Replaces `out` with the concatenation of `parts`, reusing its capacity (keys are built on
// every event: no allocation once the buffer has grown).
void Assign(std::string& out, std::initializer_list<std::string_view> parts) {
  std::size_t n = 0;
  for (auto p : parts) n += p.size();
  out.clear();
  out.reserve(n);
  for (auto p : parts) out.append(p);
}

void AssignAggregateKey(std::string& out, const Event& e) {
  const auto& o = e.involved_object;
  Assign(out, {e.source.component, e.source.host, o.kind, o.namespace_, o.name, o.uid,
               o.api_version, e.type, e.reason, e.reporting_controller, e.reporting_instance});
}

void AssignSpamKey(std::string& out, const Event& e) {
  const auto& o = e.involved_object;
  Assign(out, {e.source.component, e.source.host, o.kind, o.namespace_, o.name, o.uid,
               o.api_version, e.type});
}

std::int64_t UnixNanos(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

using KeyFnPtr = std::pair<std::string, std::string> (*)(const Event&);
using SpamFnPtr = std::string (*)(const Event&);

template <typename Ptr, typename F>
bool IsFunction(const F& f, Ptr ptr) {
  const Ptr* target = f.template target<Ptr>();
  return target != nullptr && *target == ptr;
}

}  // namespace

void AssignEventKey(std::string& out, const Event& e) {
  const auto& o = e.involved_object;
  Assign(out, {e.source.component, e.source.host, o.kind, o.namespace_, o.name, o.field_path, o.uid,
               o.api_version, e.type, e.reason, e.message});
}

std::string GetEventKey(const Event& e) {
  std::string key;
  AssignEventKey(key, e);
  return key;
}

std::string GetSpamKey(const Event& e) {
  std::string key;
  AssignSpamKey(key, e);
  return key;
}

std::pair<std::string, std::string> EventAggregatorByReasonFunc(const Event& e) {
  std::string key;
  AssignAggregateKey(key, e);
  return {std::move(key), e.message};
}

std::string EventAggregatorByReasonMessageFunc(const Event& e) {
  std::string m(kAggregatedMessagePrefix);
  m += e.message;
  return m;
}

std::string MakeDedupPatch(std::int32_t count, const api::meta::v1::Time& last_timestamp,
                           std::string_view message) {
  std::string out;
  out.reserve(64 + message.size());
  out += "{\"count\":";
  char digits[16];
  auto r = std::to_chars(digits, digits + sizeof digits, count);
  out.append(digits, r.ptr);
  if (last_timestamp.IsZero()) {
    out += ",\"lastTimestamp\":null";
  } else if (last_timestamp.time() !=
             api::meta::v1::TimePoint(std::chrono::system_clock::duration::zero())) {
    // Absent when it equals the diff base (the Unix epoch), as the strategic-merge diff does.
    out += ",\"lastTimestamp\":\"";
    api::meta::v1::AppendRFC3339(out, last_timestamp.time(), 0);
    out += '"';
  }
  if (!message.empty()) {
    out += ",\"message\":";
    api::internal::AppendQuoted(out, message);
  }
  out += '}';
  return out;
}

// ------------------------------------------------------------------------------ aggregator

// The distinct local keys (messages) seen in the current window. At most max_events - 1 are
// kept, so a short vector with hashes in front beats a hash set (no node allocations).
struct EventAggregator::Record {
  std::vector<std::pair<std::size_t, std::string>> local_keys;
  Clock::time_point last_timestamp{};
  bool has_timestamp = false;

  void Insert(std::string_view key) {
    const std::size_t h = std::hash<std::string_view>{}(key);
    for (const auto& [kh, k] : local_keys) {
      if (kh == h && k == key) return;
    }
    local_keys.emplace_back(h, key);
  }
};

EventAggregator::EventAggregator(std::size_t lru_cache_size, EventAggregatorKeyFunc key_func,
                                 EventAggregatorMessageFunc message_func, unsigned max_events,
                                 int max_interval_in_seconds, std::shared_ptr<Clock> clock)
    : cache_(std::make_unique<internal::LruCache<Record>>(lru_cache_size)),
      default_key_func_(IsFunction(key_func, static_cast<KeyFnPtr>(&EventAggregatorByReasonFunc))),
      key_func_(std::move(key_func)),
      message_func_(std::move(message_func)),
      max_events_(max_events),
      max_interval_(max_interval_in_seconds),
      clock_(std::move(clock)) {}

EventAggregator::~EventAggregator() = default;

std::pair<Event, std::string> EventAggregator::EventAggregate(Event event, bool* combined_out) {
  std::string cache_key;
  auto combined = Aggregate(event, cache_key);
  if (combined_out != nullptr) *combined_out = combined.has_value();
  return {combined ? *std::move(combined) : std::move(event), std::move(cache_key)};
}

std::optional<Event> EventAggregator::Aggregate(const Event& event, std::string& cache_key) {
  const Clock::time_point now = clock_->Now();
  std::unique_lock lock(mu_);
  std::string custom_local_key;
  std::string_view local_key;
  if (default_key_func_) {
    AssignAggregateKey(key_buf_, event);
    local_key = event.message;
  } else {
    auto keys = key_func_(event);
    key_buf_ = std::move(keys.first);
    custom_local_key = std::move(keys.second);
    local_key = custom_local_key;
  }
  bool inserted = false;
  Record* record = &cache_->GetOrInsert(key_buf_, inserted);
  // A missing record counts as an infinitely old one: start a fresh window.
  if (inserted || !record->has_timestamp || now - record->last_timestamp > max_interval_) {
    record->local_keys.clear();
  }
  record->Insert(local_key);
  record->last_timestamp = now;
  record->has_timestamp = true;
  if (record->local_keys.size() < max_events_) {
    lock.unlock();
    AssignEventKey(cache_key, event);
    return std::nullopt;
  }
  // Remove one arbitrary member (the oldest) so the set stays at max_events - 1.
  record->local_keys.erase(record->local_keys.begin());
  cache_key = key_buf_;
  lock.unlock();

  Event combined;
  combined.metadata.name = event.involved_object.name;
  combined.metadata.name += '.';
  char hex[24];
  auto r = std::to_chars(hex, hex + sizeof hex, UnixNanos(now), 16);
  combined.metadata.name.append(hex, r.ptr);
  combined.metadata.namespace_ = event.metadata.namespace_;
  combined.count = 1;
  combined.first_timestamp = api::meta::v1::Time(now);
  combined.last_timestamp = combined.first_timestamp;
  combined.message = message_func_(event);
  combined.involved_object = event.involved_object;
  combined.type = event.type;
  combined.reason = event.reason;
  combined.source = event.source;
  return combined;
}

// ------------------------------------------------------------------------------ spam filter

EventSourceObjectSpamFilter::EventSourceObjectSpamFilter(std::size_t lru_cache_size, int burst,
                                                         float qps, std::shared_ptr<Clock> clock,
                                                         EventSpamKeyFunc spam_key_func)
    : cache_(std::make_unique<internal::LruCache<internal::TokenBucket>>(lru_cache_size)),
      default_spam_key_func_(IsFunction(spam_key_func, static_cast<SpamFnPtr>(&GetSpamKey))),
      burst_(burst),
      qps_(static_cast<double>(qps)),
      clock_(std::move(clock)),
      spam_key_func_(std::move(spam_key_func)) {}

EventSourceObjectSpamFilter::~EventSourceObjectSpamFilter() = default;

bool EventSourceObjectSpamFilter::Filter(const Event& event) {
  const Clock::time_point now = clock_->Now();
  std::lock_guard lock(mu_);
  if (default_spam_key_func_) {
    AssignSpamKey(key_buf_, event);
  } else {
    key_buf_ = spam_key_func_(event);
  }
  bool inserted = false;
  internal::TokenBucket& bucket = cache_->GetOrInsert(key_buf_, inserted);
  if (inserted) bucket = internal::TokenBucket(qps_, burst_, now);
  return !bucket.TryAccept(now);
}

// ------------------------------------------------------------------------------ correlator

struct EventCorrelator::Observation {
  std::uint32_t count = 0;
  api::meta::v1::Time first_timestamp;
  std::string name;
  std::string resource_version;
};

namespace {

CorrelatorOptions WithDefaults(CorrelatorOptions o) {
  if (o.lru_cache_size == 0) o.lru_cache_size = kMaxLruCacheEntries;
  if (o.burst_size == 0) o.burst_size = kDefaultSpamBurst;
  if (o.qps == 0) o.qps = kDefaultSpamQPS;
  if (!o.key_func) o.key_func = static_cast<KeyFnPtr>(&EventAggregatorByReasonFunc);
  if (!o.message_func) o.message_func = EventAggregatorByReasonMessageFunc;
  if (o.max_events == 0) o.max_events = kDefaultAggregateMaxEvents;
  if (o.max_interval_in_seconds == 0)
    o.max_interval_in_seconds = kDefaultAggregateIntervalInSeconds;
  if (!o.clock) o.clock = MakeRealClock();
  if (!o.spam_key_func) o.spam_key_func = static_cast<SpamFnPtr>(&GetSpamKey);
  return o;
}

}  // namespace

EventCorrelator::EventCorrelator(CorrelatorOptions options)
    : EventCorrelator(WithDefaults(std::move(options)), Resolved{}) {}

EventCorrelator::EventCorrelator(CorrelatorOptions o, Resolved)
    : aggregator_(o.lru_cache_size, o.key_func, o.message_func, o.max_events,
                  o.max_interval_in_seconds, o.clock),
      logger_cache_(std::make_unique<internal::LruCache<Observation>>(o.lru_cache_size)),
      filter_(o.disable_spam_filter
                  ? nullptr
                  : std::make_unique<EventSourceObjectSpamFilter>(
                        o.lru_cache_size, o.burst_size, o.qps, o.clock, o.spam_key_func)) {}

EventCorrelator::~EventCorrelator() = default;

EventCorrelateResult EventCorrelator::EventCorrelate(Event event) {
  EventCorrelateView view = CorrelateImpl(event, &event);
  EventCorrelateResult result;
  result.skip = view.skip;
  result.aggregated = view.aggregated;
  if (view.skip) return result;
  result.patch = std::move(view.patch);
  result.event = view.modified ? *std::move(view.modified) : std::move(event);
  return result;
}

EventCorrelateView EventCorrelator::Correlate(const Event& event) {
  return CorrelateImpl(event, nullptr);
}

EventCorrelateView EventCorrelator::CorrelateImpl(const Event& event, Event* owned) {
  EventCorrelateView view;
  view.input = &event;
  {
    std::lock_guard lock(logger_mu_);
    view.modified = aggregator_.Aggregate(event, key_buf_);
    view.aggregated = view.modified.has_value();
    Observe(view, key_buf_, owned);
  }
  if (filter_ && filter_->Filter(view.event())) {
    view.skip = true;
    view.patch.clear();
  }
  return view;
}

void EventCorrelator::Observe(EventCorrelateView& view, const std::string& key, Event* owned) {
  bool inserted = false;
  Observation* last = &logger_cache_->GetOrInsert(key, inserted);
  if (!inserted && last->count > 0) {
    // Change the combined event, else the caller's own copy in place, else a new copy.
    Event& event = view.modified      ? *view.modified
                   : owned != nullptr ? *owned
                                      : view.modified.emplace(*view.input);
    event.metadata.name = last->name;
    event.metadata.resource_version = last->resource_version;
    event.first_timestamp = last->first_timestamp;
    event.count = static_cast<std::int32_t>(last->count + 1);
    view.patch = MakeDedupPatch(event.count, event.last_timestamp, event.message);
  }
  // Record this observation (GetOrInsert made the entry the most recent one).
  const Event& event = view.event();
  last->count = static_cast<std::uint32_t>(event.count);
  last->first_timestamp = event.first_timestamp;
  if (last->name != event.metadata.name) last->name = event.metadata.name;
  if (last->resource_version != event.metadata.resource_version) {
    last->resource_version = event.metadata.resource_version;
  }
}

void EventCorrelator::UpdateState(const Event& server_event) {
  std::lock_guard lock(logger_mu_);
  AssignEventKey(key_buf_, server_event);
  bool inserted = false;
  Observation* o = &logger_cache_->GetOrInsert(key_buf_, inserted);
  o->count = static_cast<std::uint32_t>(server_event.count);
  o->first_timestamp = server_event.first_timestamp;
  o->name = server_event.metadata.name;
  o->resource_version = server_event.metadata.resource_version;
}

}  // namespace kube::record
