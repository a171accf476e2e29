#include "kubeevents/tools/record/event_correlator.h"

#include <charconv>
#include <unordered_set>

#include "kubeevents/api/internal/json_writer.h"
#include "kubeevents/tools/record/event_util.h"
#include "kubeevents/tools/record/internal/lru_cache.h"
#include "kubeevents/tools/record/internal/token_bucket.h"

namespace kube::record {

using api::core::v1::Event;

namespace {

void Append(std::string& out, std::initializer_list<std::string_view> parts) {
  std::size_t n = out.size();
  for (auto p : parts) n += p.size();
  out.reserve(n);
  for (auto p : parts) out.append(p);
}

std::string Hex(std::int64_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v, 16);
  return std::string(buf, r.ptr);
}

std::int64_t UnixNanos(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

}  // namespace

std::string GetEventKey(const Event& e) {
  std::string key;
  const auto& o = e.involved_object;
  Append(key, {e.source.component, e.source.host, o.kind, o.namespace_, o.name, o.field_path, o.uid,
               o.api_version, e.type, e.reason, e.message});
  return key;
}

std::string GetSpamKey(const Event& e) {
  std::string key;
  const auto& o = e.involved_object;
  Append(key, {e.source.component, e.source.host, o.kind, o.namespace_, o.name, o.uid,
               o.api_version, e.type});
  return key;
}

std::pair<std::string, std::string> EventAggregatorByReasonFunc(const Event& e) {
  std::string key;
  const auto& o = e.involved_object;
  Append(key, {e.source.component, e.source.host, o.kind, o.namespace_, o.name, o.uid,
               o.api_version, e.type, e.reason, e.reporting_controller, e.reporting_instance});
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
  out += std::to_string(count);
  if (last_timestamp.IsZero()) {
    out += ",\"lastTimestamp\":null";
  } else if (last_timestamp.time() !=
             api::meta::v1::TimePoint(std::chrono::system_clock::duration::zero())) {
    out += ",\"lastTimestamp\":\"";
    out += last_timestamp.ToString();
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

struct EventAggregator::Record {
  std::unordered_set<std::string> local_keys;
  Clock::time_point last_timestamp{};
  bool has_timestamp = false;
};

EventAggregator::EventAggregator(std::size_t lru_cache_size, EventAggregatorKeyFunc key_func,
                                 EventAggregatorMessageFunc message_func, unsigned max_events,
                                 int max_interval_in_seconds, std::shared_ptr<Clock> clock)
    : cache_(std::make_unique<internal::LruCache<Record>>(lru_cache_size)),
      key_func_(std::move(key_func)),
      message_func_(std::move(message_func)),
      max_events_(max_events),
      max_interval_(max_interval_in_seconds),
      clock_(std::move(clock)) {}

EventAggregator::~EventAggregator() = default;

std::pair<Event, std::string> EventAggregator::EventAggregate(Event event, bool* combined_out) {
  if (combined_out != nullptr) *combined_out = false;
  const Clock::time_point now = clock_->Now();
  auto [aggregate_key, local_key] = key_func_(event);

  std::unique_lock lock(mu_);
  Record* record = cache_->Get(aggregate_key);
  if (record == nullptr) record = &cache_->Add(aggregate_key, Record{});
  // A missing record counts as an infinitely old one: start a fresh window.
  if (!record->has_timestamp || now - record->last_timestamp > max_interval_) {
    record->local_keys.clear();
  }
  record->local_keys.insert(std::move(local_key));
  record->last_timestamp = now;
  record->has_timestamp = true;
  if (record->local_keys.size() < max_events_) {
    lock.unlock();
    std::string key = GetEventKey(event);
    return {std::move(event), std::move(key)};
  }
  // Remove one arbitrary member so the set stays at max_events - 1.
  record->local_keys.erase(record->local_keys.begin());
  lock.unlock();
  if (combined_out != nullptr) *combined_out = true;

  Event combined;
  combined.metadata.name = event.involved_object.name + "." + Hex(UnixNanos(now));
  combined.metadata.namespace_ = event.metadata.namespace_;
  combined.count = 1;
  combined.first_timestamp = api::meta::v1::Time(now);
  combined.last_timestamp = combined.first_timestamp;
  combined.message = message_func_(event);
  combined.involved_object = std::move(event.involved_object);
  combined.type = std::move(event.type);
  combined.reason = std::move(event.reason);
  combined.source = std::move(event.source);
  return {std::move(combined), std::move(aggregate_key)};
}

// ------------------------------------------------------------------------------ spam filter

EventSourceObjectSpamFilter::EventSourceObjectSpamFilter(std::size_t lru_cache_size, int burst,
                                                         float qps, std::shared_ptr<Clock> clock,
                                                         EventSpamKeyFunc spam_key_func)
    : cache_(std::make_unique<internal::LruCache<internal::TokenBucket>>(lru_cache_size)),
      burst_(burst),
      qps_(static_cast<double>(qps)),
      clock_(std::move(clock)),
      spam_key_func_(std::move(spam_key_func)) {}

EventSourceObjectSpamFilter::~EventSourceObjectSpamFilter() = default;

bool EventSourceObjectSpamFilter::Filter(const Event& event) {
  const std::string key = spam_key_func_(event);
  const Clock::time_point now = clock_->Now();
  std::lock_guard lock(mu_);
  internal::TokenBucket* bucket = cache_->Get(key);
  if (bucket == nullptr) bucket = &cache_->Add(key, internal::TokenBucket(qps_, burst_, now));
  return !bucket->TryAccept(now);
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
  if (!o.key_func) o.key_func = EventAggregatorByReasonFunc;
  if (!o.message_func) o.message_func = EventAggregatorByReasonMessageFunc;
  if (o.max_events == 0) o.max_events = kDefaultAggregateMaxEvents;
  if (o.max_interval_in_seconds == 0)
    o.max_interval_in_seconds = kDefaultAggregateIntervalInSeconds;
  if (!o.clock) o.clock = MakeRealClock();
  if (!o.spam_key_func) o.spam_key_func = GetSpamKey;
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
  bool combined = false;
  auto [aggregated, cache_key] = aggregator_.EventAggregate(std::move(event), &combined);
  auto [observed, patch] = Observe(std::move(aggregated), cache_key);
  EventCorrelateResult result;
  result.aggregated = combined;
  if (filter_ && filter_->Filter(observed)) {
    result.skip = true;
    return result;
  }
  result.event = std::move(observed);
  result.patch = std::move(patch);
  return result;
}

std::pair<Event, std::string> EventCorrelator::Observe(Event event, const std::string& key) {
  std::string patch;
  std::lock_guard lock(logger_mu_);
  Observation* last = logger_cache_->Get(key);
  if (last != nullptr && last->count > 0) {
    event.metadata.name = last->name;
    event.metadata.resource_version = last->resource_version;
    event.first_timestamp = last->first_timestamp;
    event.count = static_cast<std::int32_t>(last->count + 1);
    patch = MakeDedupPatch(event.count, event.last_timestamp, event.message);
  }
  Observation next{static_cast<std::uint32_t>(event.count), event.first_timestamp,
                   event.metadata.name, event.metadata.resource_version};
  if (last != nullptr) {
    *last = std::move(next);  // already the most recent entry after Get
  } else {
    logger_cache_->Add(key, std::move(next));
  }
  return {std::move(event), std::move(patch)};
}

void EventCorrelator::UpdateState(const Event& server_event) {
  const std::string key = GetEventKey(server_event);
  std::lock_guard lock(logger_mu_);
  logger_cache_->Add(
      key, Observation{static_cast<std::uint32_t>(server_event.count), server_event.first_timestamp,
                       server_event.metadata.name, server_event.metadata.resource_version});
}

}  // namespace kube::record
