#include "kubeevents/tools/record/event_correlator.h"

#include <array>
#include <charconv>
#include <cstring>
#include <limits>
#include <span>
#include <vector>

#include "kubeevents/api/internal/json_writer.h"
#include "kubeevents/tools/record/event_util.h"
#include "kubeevents/tools/record/internal/event_copy.h"
#include "kubeevents/tools/record/internal/key_hash.h"
#include "kubeevents/tools/record/internal/lru_cache.h"
#include "kubeevents/tools/record/internal/token_bucket.h"

namespace kube::record {

using api::core::v1::Event;

namespace {

// Copies n bytes, sizeof(Word) <= n <= 2 * sizeof(Word), as the first and the last Word of
// the range (they overlap when n is below twice the size): two loads and two stores.
template <typename Word>
inline void CopyHeadAndTail(char* dst, const char* src, std::size_t n) {
  Word head, tail;
  std::memcpy(&head, src, sizeof head);
  std::memcpy(&tail, src + n - sizeof tail, sizeof tail);
  std::memcpy(dst, &head, sizeof head);
  std::memcpy(dst + n - sizeof tail, &tail, sizeof tail);
}

// Copies n bytes. Most key parts (kind, namespace, type, reason, component, host) are
// shorter than 17 bytes, where a call of the library's memcpy costs more than the copy; every
// access stays inside [src, src + n) and [dst, dst + n).
inline void CopyKeyPart(char* dst, const char* src, std::size_t n) {
  if (n > 16) {
    std::memcpy(dst, src, n);
  } else if (n >= 8) {
    CopyHeadAndTail<std::uint64_t>(dst, src, n);
  } else if (n >= 4) {
    CopyHeadAndTail<std::uint32_t>(dst, src, n);
  } else if (n > 0) {
    dst[0] = src[0];
    dst[n / 2] = src[n / 2];
    dst[n - 1] = src[n - 1];
  }
}

// Replaces `out` with the concatenation of `parts`, reusing its capacity (keys are built on
// every event: no allocation once the buffer has grown). Resized rather than cleared: it
// usually held a key of about the same length, so only the difference is touched, and each
// part is copied into place without append's per-call capacity checks.
void Assign(std::string& out, std::span<const std::string_view> parts) {
  std::size_t n = 0;
  for (auto p : parts) n += p.size();
  out.resize(n);
  char* dst = out.data();
  for (auto p : parts) {
    CopyKeyPart(dst, p.data(), p.size());
    dst += p.size();
  }
}

void Assign(std::string& out, std::initializer_list<std::string_view> parts) {
  Assign(out, std::span<const std::string_view>(parts.begin(), parts.size()));
}

// The dedup key's parts, in order (client-go getEventKey joins them with "").
std::array<std::string_view, 11> EventKeyParts(const Event& e) {
  const auto& o = e.involved_object;
  return {e.source.component, e.source.host, o.kind,   o.namespace_, o.name, o.field_path, o.uid,
          o.api_version,      e.type,        e.reason, e.message};
}

void AssignAggregateKey(std::string& out, const Event& e) {
  const auto& o = e.involved_object;
  Assign(out, {e.source.component, e.source.host, o.kind, o.namespace_, o.name, o.uid,
               o.api_version, e.type, e.reason, e.reporting_controller, e.reporting_instance});
}

// Builds the dedup (event) key into `dedup` from the event's aggregate key `agg`
// (AssignAggregateKey). Both begin with source, kind, namespace and name; when fieldPath is
// empty (most events) they share the first nine parts, which are then copied in one piece.
void AssignEventKeyFromAggregateKey(std::string& dedup, std::string_view agg, const Event& e) {
  if (!e.involved_object.field_path.empty()) {
    AssignEventKey(dedup, e);
    return;
  }
  const std::size_t common =
      agg.size() - e.reporting_controller.size() - e.reporting_instance.size();
  dedup.resize(common + e.message.size());
  std::memcpy(dedup.data(), agg.data(), common);
  CopyKeyPart(dedup.data() + common, e.message.data(), e.message.size());
}

// The combined event's name, Go's fmt.Sprintf("%v.%x", ref.Name, t.UnixNano()), written into
// `name`'s buffer.
void AssignCombinedName(std::string& name, std::string_view object_name, std::string_view hex) {
  name.resize(object_name.size() + 1 + hex.size());
  char* p = name.data();
  CopyKeyPart(p, object_name.data(), object_name.size());
  p[object_name.size()] = '.';
  CopyKeyPart(p + object_name.size() + 1, hex.data(), hex.size());
}

// Puts kAggregatedMessagePrefix in front of `message`: in place when its buffer has room,
// else into a buffer of the final size (one allocation, each byte copied once).
void PrefixAggregatedMessage(std::string& message) {
  const std::size_t n = message.size();
  const std::size_t prefix = kAggregatedMessagePrefix.size();
  if (message.capacity() >= n + prefix) {
    message.resize(n + prefix);
    std::memmove(message.data() + prefix, message.data(), n);
    std::memcpy(message.data(), kAggregatedMessagePrefix.data(), prefix);
    return;
  }
  std::string combined;
  combined.resize(n + prefix);
  std::memcpy(combined.data(), kAggregatedMessagePrefix.data(), prefix);
  std::memcpy(combined.data() + prefix, message.data(), n);
  message = std::move(combined);
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
using MessageFnPtr = std::string (*)(const Event&);

template <typename Ptr, typename F>
bool IsFunction(const F& f, Ptr ptr) {
  const Ptr* target = f.template target<Ptr>();
  return target != nullptr && *target == ptr;
}

}  // namespace

void AssignEventKey(std::string& out, const Event& e) { Assign(out, EventKeyParts(e)); }

namespace {

// Whether `key` is the event's dedup key (AssignEventKey), compared part by part without
// building it.
bool IsEventKeyOf(std::string_view key, const Event& e) {
  std::size_t at = 0;
  for (std::string_view part : EventKeyParts(e)) {
    if (key.size() - at < part.size() || key.compare(at, part.size(), part) != 0) return false;
    at += part.size();
  }
  return at == key.size();
}

}  // namespace

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

// The last formatted lastTimestamp (second precision on the wire): repeats of an event
// mostly fall within the same second, so formatting is skipped for them.
struct internal::PatchTimeCache {
  std::int64_t second = std::numeric_limits<std::int64_t>::min();
  std::string text;
};

namespace {

using internal::PatchTimeCache;

std::string WriteDedupPatch(std::int32_t count, const api::meta::v1::Time& last_timestamp,
                            std::string_view message, PatchTimeCache* cache) {
  std::string out;
  // {"count":N,"lastTimestamp":"YYYY-MM-DDTHH:MM:SSZ","message":"..."}: 64 bytes and the
  // count's digits around the message, so one allocation unless the message needs escapes.
  out.reserve(80 + message.size());
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
    if (cache == nullptr) {
      api::meta::v1::AppendRFC3339(out, last_timestamp.time(), 0);
    } else {
      const std::int64_t second = std::chrono::floor<std::chrono::seconds>(last_timestamp.time())
                                      .time_since_epoch()
                                      .count();
      if (second != cache->second) {
        cache->text.clear();
        api::meta::v1::AppendRFC3339(cache->text, last_timestamp.time(), 0);
        cache->second = second;
      }
      out += cache->text;
    }
    out += '"';
  }
  if (!message.empty()) {
    out += ",\"message\":";
    api::internal::AppendQuoted(out, message);
  }
  out += '}';
  return out;
}

}  // namespace

std::string MakeDedupPatch(std::int32_t count, const api::meta::v1::Time& last_timestamp,
                           std::string_view message) {
  return WriteDedupPatch(count, last_timestamp, message, nullptr);
}

// ------------------------------------------------------------------------------ aggregator

// The distinct local keys (messages) seen in the current window. At most max_events - 1 are
// kept, so a short vector with hashes in front beats a hash set (no node allocations). Once
// full it is a ring: a new key replaces the oldest one in place (reusing its buffer).
struct EventAggregator::Record {
  std::vector<std::pair<std::uint64_t, std::string>> local_keys;
  std::size_t oldest = 0;  // next slot to replace once local_keys is full
  Clock::time_point last_timestamp{};
  bool has_timestamp = false;

  void Clear() {
    local_keys.clear();
    oldest = 0;
  }

  // Go: localKeys.Insert(key); if Len() >= max_events { PopAny(); aggregate }. Returns whether
  // the event is to be aggregated: the key is new and the set already held max_events - 1
  // keys. The key popped is the oldest one (Go pops an arbitrary one).
  bool Insert(std::string_view key, unsigned max_events) {
    const std::uint64_t h = internal::HashKey(key);
    for (const auto& [kh, k] : local_keys) {
      if (kh == h && k == key) return false;
    }
    const std::size_t keep = max_events == 0 ? 0 : max_events - 1;
    if (local_keys.size() < keep) {
      local_keys.emplace_back(h, key);
      return false;
    }
    if (keep > 0) {
      auto& slot = local_keys[oldest];
      slot.first = h;
      slot.second.assign(key);
      oldest = (oldest + 1) % keep;
    }
    return true;
  }
};

EventAggregator::EventAggregator(std::size_t lru_cache_size, EventAggregatorKeyFunc key_func,
                                 EventAggregatorMessageFunc message_func, unsigned max_events,
                                 int max_interval_in_seconds, std::shared_ptr<Clock> clock)
    : cache_(std::make_unique<internal::LruCache<Record>>(lru_cache_size)),
      default_key_func_(IsFunction(key_func, static_cast<KeyFnPtr>(&EventAggregatorByReasonFunc))),
      key_func_(std::move(key_func)),
      default_message_func_(
          IsFunction(message_func, static_cast<MessageFnPtr>(&EventAggregatorByReasonMessageFunc))),
      message_func_(std::move(message_func)),
      max_events_(max_events),
      max_interval_(max_interval_in_seconds),
      clock_(std::move(clock)) {}

EventAggregator::~EventAggregator() = default;

std::pair<Event, std::string> EventAggregator::EventAggregate(Event event, bool* combined_out) {
  std::string cache_key;
  std::unique_lock lock(mu_);
  std::unique_ptr<Event> unused;
  const bool combined = Aggregate(event, cache_key, lock, unused, &event);
  if (combined_out != nullptr) *combined_out = combined;
  return {std::move(event), std::move(cache_key)};
}

bool EventAggregator::Decide(const Event& event, std::string& cache_key,
                             std::unique_lock<std::mutex>& lock,
                             std::optional<std::uint64_t>* cache_key_hash) {
  // Millisecond precision is plenty for a 10-minute window; the combined event is stamped
  // with the precise time.
  const Clock::time_point now = clock_->NowCoarse();
  std::string custom_local_key;
  std::string_view local_key;
  const bool default_keys = default_key_func_;
  if (default_keys) {
    AssignAggregateKey(key_buf_, event);
    local_key = event.message;
  } else {
    auto keys = key_func_(event);
    key_buf_ = std::move(keys.first);
    custom_local_key = std::move(keys.second);
    local_key = custom_local_key;
  }
  bool inserted = false;
  const std::uint64_t key_hash = internal::HashKey(key_buf_);
  Record* record = &cache_->GetOrInsert(key_buf_, key_hash, inserted);
  // A missing record counts as an infinitely old one: start a fresh window.
  if (inserted || !record->has_timestamp || now - record->last_timestamp > max_interval_) {
    record->Clear();
  }
  const bool aggregate = record->Insert(local_key, max_events_);
  record->last_timestamp = now;
  record->has_timestamp = true;
  if (!aggregate) {
    // The dedup key, from the aggregate key while key_buf_ (under mu_) still holds it.
    if (default_keys) AssignEventKeyFromAggregateKey(cache_key, key_buf_, event);
    if (lock.owns_lock()) lock.unlock();
    if (!default_keys) AssignEventKey(cache_key, event);
    return false;
  }
  // A combined event is cached under the aggregate key: hand over its buffer (and its hash).
  std::swap(cache_key, key_buf_);
  if (cache_key_hash != nullptr) *cache_key_hash = key_hash;
  if (lock.owns_lock()) lock.unlock();
  return true;
}

namespace {

// The combined event's name suffix: Go's %x of the stamp's Unix nanoseconds.
struct StampHex {
  explicit StampHex(Clock::time_point stamp)
      : end(std::to_chars(digits, digits + sizeof digits, UnixNanos(stamp), 16).ptr) {}
  std::string_view view() const {
    return std::string_view(digits, static_cast<std::size_t>(end - digits));
  }
  char digits[24];
  char* end;
};

}  // namespace

// Go builds a fresh v1.Event with only these fields; `e` (the input itself, or a copy of it)
// is turned into that event in place: its buffers reused, every other field reset.
void EventAggregator::TurnIntoCombined(Event& e, const Event& event,
                                       Clock::time_point stamp) const {
  if (default_message_func_) {
    PrefixAggregatedMessage(e.message);
  } else {
    e.message = message_func_(event);  // before anything else of `event` changes
  }
  ResetToCombined(e, stamp);
}

// The combined event assigned into `e`, a spare event holding anything: the fields it keeps
// are copied from `event` into e's buffers and every other field is reset, instead of a copy
// of the whole input first.
void EventAggregator::AssignCombined(Event& e, const Event& event, Clock::time_point stamp) const {
  e.metadata.namespace_ = event.metadata.namespace_;
  e.involved_object = event.involved_object;
  e.type = event.type;
  e.reason = event.reason;
  e.source = event.source;
  if (default_message_func_) {
    const std::size_t prefix = kAggregatedMessagePrefix.size();
    e.message.resize(prefix + event.message.size());
    std::memcpy(e.message.data(), kAggregatedMessagePrefix.data(), prefix);
    CopyKeyPart(e.message.data() + prefix, event.message.data(), event.message.size());
  } else {
    e.message = message_func_(event);
  }
  ResetToCombined(e, stamp);
}

// Every field of a combined event but namespace, involvedObject, type, reason, source and
// message: the name `<object>.<stamp in hex>`, count 1, both timestamps the stamp, the rest
// empty.
void EventAggregator::ResetToCombined(Event& e, Clock::time_point stamp) {
  auto& m = e.metadata;
  AssignCombinedName(m.name, e.involved_object.name, StampHex(stamp).view());
  m.generate_name.clear();
  m.self_link.clear();
  m.uid.clear();
  m.resource_version.clear();
  m.generation = 0;
  m.creation_timestamp = api::meta::v1::Time();
  m.deletion_timestamp.reset();
  m.labels.clear();
  m.annotations.clear();
  m.unknown_fields.clear();
  e.type_meta.api_version.assign("v1");
  e.type_meta.kind.assign("Event");
  e.count = 1;
  e.first_timestamp = api::meta::v1::Time(stamp);
  e.last_timestamp = e.first_timestamp;
  e.event_time = api::meta::v1::MicroTime();
  e.series.reset();
  e.action.clear();
  e.related.reset();
  e.reporting_controller.clear();
  e.reporting_instance.clear();
}

// The combined event built into a default-constructed `combined`: only the fields it keeps
// are copied from `event`; every other field is already empty (AssignCombined's resets cost
// a by-reference aggregating EventCorrelate about 280 instructions here).
void EventAggregator::BuildCombined(Event& combined, const Event& event,
                                    Clock::time_point stamp) const {
  const StampHex hex(stamp);
  combined.metadata.name.reserve(event.involved_object.name.size() + 1 + hex.view().size());
  AssignCombinedName(combined.metadata.name, event.involved_object.name, hex.view());
  combined.metadata.namespace_ = event.metadata.namespace_;
  combined.count = 1;
  combined.first_timestamp = api::meta::v1::Time(stamp);
  combined.last_timestamp = combined.first_timestamp;
  if (default_message_func_) {
    combined.message.reserve(kAggregatedMessagePrefix.size() + event.message.size());
    combined.message.append(kAggregatedMessagePrefix).append(event.message);
  } else {
    combined.message = message_func_(event);
  }
  combined.involved_object = event.involved_object;
  combined.type = event.type;
  combined.reason = event.reason;
  combined.source = event.source;
}

Event EventAggregator::MakeCombined(const Event& event) const {
  Event combined;
  BuildCombined(combined, event, clock_->Now());
  return combined;
}

bool EventAggregator::Aggregate(const Event& event, std::string& cache_key,
                                std::unique_lock<std::mutex>& lock,
                                std::unique_ptr<Event>& combined_out, Event* owned,
                                std::unique_ptr<Event>* scratch,
                                std::optional<std::uint64_t>* cache_key_hash) {
  if (!Decide(event, cache_key, lock, cache_key_hash)) return false;
  const Clock::time_point stamp = clock_->Now();
  if (owned == nullptr && scratch != nullptr && *scratch) {
    // The caller's spare event: the combined event assigned into its buffers (no allocation
    // once they have grown).
    combined_out = std::move(*scratch);
    AssignCombined(*combined_out, event, stamp);
  } else if (owned != nullptr) {
    TurnIntoCombined(*owned, event, stamp);
  } else {
    combined_out = std::make_unique<Event>();
    BuildCombined(*combined_out, event, stamp);
  }
  return true;
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
  // A token every 5 minutes: millisecond precision is plenty.
  const Clock::time_point now = clock_->NowCoarse();
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
  if (!o.message_func)
    o.message_func = static_cast<MessageFnPtr>(&EventAggregatorByReasonMessageFunc);
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
      patch_time_cache_(std::make_unique<internal::PatchTimeCache>()),
      filter_(o.disable_spam_filter
                  ? nullptr
                  : std::make_unique<EventSourceObjectSpamFilter>(
                        o.lru_cache_size, o.burst_size, o.qps, o.clock, o.spam_key_func)) {}

EventCorrelator::~EventCorrelator() = default;

// The result is built first, holding the caller's event (copied or moved in once), and
// correlated in place: no further move of the event into the result.
// The aggregator decides first, on the caller's event; the result is then built once, in
// place: a combined event from only the fields it keeps, else a copy of the input (a copy made
// up front would be mostly thrown away for a combined event).
EventCorrelateResult EventCorrelator::EventCorrelate(const Event& event) {
  std::unique_lock lock(logger_mu_);
  std::unique_lock<std::mutex> no_lock;  // logger_mu_ serializes the private aggregator
  std::optional<std::uint64_t> key_hash;
  const bool aggregated = aggregator_.Decide(event, key_buf_, no_lock, &key_hash);
  EventCorrelateResult result =
      aggregated ? EventCorrelateResult{aggregator_.MakeCombined(event), std::string{}, false, true}
                 : EventCorrelateResult{event, std::string{}, false, false};
  EventCorrelateView view;
  view.input = &result.event;
  view.aggregated = aggregated;
  std::unique_ptr<Event> no_scratch;
  Observe(view, key_buf_, &result.event, no_scratch, key_hash);
  lock.unlock();
  SpamFilter(view);
  TakeView(result, view);
  return result;
}

EventCorrelateResult EventCorrelator::EventCorrelate(Event&& event) {
  EventCorrelateResult result{std::move(event), std::string{}, false, false};
  CorrelateInto(result);
  return result;
}

void EventCorrelator::CorrelateInto(EventCorrelateResult& result) {
  // The event is owned, so the correlator changes it in place (view.modified stays empty).
  EventCorrelateView view = CorrelateImpl(result.event, &result.event, nullptr);
  TakeView(result, view);
}

void EventCorrelator::TakeView(EventCorrelateResult& result, EventCorrelateView& view) {
  result.aggregated = view.aggregated;
  if (view.skip) {
    result.skip = true;
    result.event = Event{};  // as client-go: a skipped result carries no event
    return;
  }
  result.patch = std::move(view.patch);
}

void EventCorrelator::SpamFilter(EventCorrelateView& view) {
  if (filter_ && filter_->Filter(view.event())) {
    view.skip = true;
    view.patch.clear();
  }
}

EventCorrelateView EventCorrelator::Correlate(const Event& event, std::unique_ptr<Event> scratch) {
  return CorrelateImpl(event, nullptr, std::move(scratch));
}

EventCorrelateView EventCorrelator::CorrelateImpl(const Event& event, Event* owned,
                                                  std::unique_ptr<Event> scratch) {
  EventCorrelateView view;
  view.input = &event;
  {
    std::lock_guard lock(logger_mu_);
    std::unique_lock<std::mutex> no_lock;  // logger_mu_ serializes the private aggregator
    std::optional<std::uint64_t> key_hash;
    view.aggregated =
        aggregator_.Aggregate(event, key_buf_, no_lock, view.modified, owned, &scratch, &key_hash);
    Observe(view, key_buf_, owned, scratch, key_hash);
  }
  SpamFilter(view);
  return view;
}

void EventCorrelator::Observe(EventCorrelateView& view, const std::string& key, Event* owned,
                              std::unique_ptr<Event>& scratch,
                              std::optional<std::uint64_t> key_hash) {
  bool inserted = false;
  Observation* last = key_hash ? &logger_cache_->GetOrInsert(key, *key_hash, inserted)
                               : &logger_cache_->GetOrInsert(key, inserted);
  key_buf_entry_ = last;  // `key` is key_buf_
  if (!inserted && last->count > 0) {
    // Change the combined event, else the caller's own copy in place, else a copy (into the
    // caller's scratch event when there is one: assigning reuses its buffers).
    if (!view.modified && owned == nullptr) {
      if (scratch) {
        internal::AssignEvent(*scratch, *view.input);
        view.modified = std::move(scratch);
      } else {
        view.modified = std::make_unique<Event>(*view.input);
      }
    }
    Event& event = view.modified ? *view.modified : *owned;
    event.metadata.name = last->name;
    event.metadata.resource_version = last->resource_version;
    event.first_timestamp = last->first_timestamp;
    event.count = static_cast<std::int32_t>(last->count + 1);
    view.patch =
        WriteDedupPatch(event.count, event.last_timestamp, event.message, patch_time_cache_.get());
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
  Observation* o = key_buf_entry_;
  // Usually the event just correlated, whose entry Observe made the most recent: reuse it.
  if (o == nullptr || !IsEventKeyOf(key_buf_, server_event)) {
    AssignEventKey(key_buf_, server_event);
    bool inserted = false;
    o = &logger_cache_->GetOrInsert(key_buf_, inserted);
    key_buf_entry_ = o;
  }
  o->count = static_cast<std::uint32_t>(server_event.count);
  o->first_timestamp = server_event.first_timestamp;
  o->name = server_event.metadata.name;
  o->resource_version = server_event.metadata.resource_version;
}

}  // namespace kube::record
