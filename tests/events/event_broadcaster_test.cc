// events.k8s.io/v1 pipeline: the series algorithm, periodic finish/refresh tasks and the retry
// rules of client-go tools/events, driven by a FakeClock (nothing sleeps in real time except
// short waits for worker threads to reach a known state).
#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

#include "kubeevents/api/errors/errors.h"
#include "kubeevents/tools/events/event_broadcaster.h"
#include "kubeevents/tools/events/testing/fake_event_sink.h"
#include "test_support.h"

namespace kube::events {
namespace {

using api::core::v1::ObjectReference;
using api::events::v1::Event;
using record::testing_support::CapturingLogger;
using record::testing_support::Eventually;
using testing::FakeEventSink;
using namespace std::chrono_literals;

ObjectReference Pod(std::string name = "web-0") {
  return {"Pod", "prod", name, "uid-" + name, "v1", "7", ""};
}

using SeenEvents = record::testing_support::SeenEvents<Event>;

class EventsTest : public ::testing::Test {
 protected:
  std::shared_ptr<FakeClock> clock_ = std::make_shared<FakeClock>();
  std::shared_ptr<CapturingLogger> logger_ = std::make_shared<CapturingLogger>();
  std::shared_ptr<FakeEventSink> sink_ = std::make_shared<FakeEventSink>();

  BroadcasterOptions Options() {
    BroadcasterOptions o;
    o.clock = clock_;
    o.logger = logger_;
    o.hostname = "node-1";
    o.random_seed = 7;
    o.incoming_queue_length = 1000;
    return o;
  }
  // The finish and refresh tasks each sleep on the clock between runs.
  void WaitForPeriodicTasks() { ASSERT_TRUE(clock_->BlockUntilWaiters(2)); }
  std::vector<FakeEventSink::Call> Calls() { return sink_->Calls(); }
  // The calls so far, for failure messages.
  std::string Describe() {
    std::string out;
    for (const auto& c : sink_->Calls()) {
      out += c.verb == FakeEventSink::Verb::kCreate ? "create " : "patch ";
      out += c.event.metadata.name + " " + c.patch + "\n";
    }
    return out;
  }
};

TEST_F(EventsTest, RecorderBuildsTheEventLikeClientGo) {
  EventBroadcaster b(sink_, Options());
  SeenEvents watched(b);
  std::vector<Event>& seen = watched.events;
  std::mutex& mu = watched.mu;
  auto recorder = b.NewRecorder("example.com/scheduler");
  ObjectReference node{"Node", "", "n1", "uid-n1", "v1", "", ""};
  recorder->Eventf(Pod(), node, "Warning", "FailedScheduling", "Scheduling",
                   "0/%d nodes are available", 3);
  recorder->AnnotatedEventf(node, nullptr, {{"k", "v"}}, "Normal", "Ready", "Observe", "ok");
  ASSERT_TRUE(b.Flush(10s));
  std::lock_guard lock(mu);
  ASSERT_EQ(seen.size(), 2u);
  const Event& e = seen[0];
  EXPECT_EQ(e.event_time.time(), clock_->Now());
  EXPECT_EQ(e.event_time.ToString().size(), 27u);  // microseconds on the wire
  EXPECT_EQ(e.metadata.namespace_, "prod");
  EXPECT_EQ(e.metadata.name.rfind("web-0.", 0), 0u);
  EXPECT_EQ(e.reporting_controller, "example.com/scheduler");
  EXPECT_EQ(e.reporting_instance, "example.com/scheduler-node-1");
  EXPECT_EQ(e.action, "Scheduling");
  EXPECT_EQ(e.reason, "FailedScheduling");
  EXPECT_EQ(e.note, "0/3 nodes are available");
  EXPECT_EQ(e.type, "Warning");
  EXPECT_EQ(e.regarding, Pod());
  ASSERT_TRUE(e.related.has_value());
  EXPECT_EQ(e.related->name, "n1");
  EXPECT_FALSE(e.series.has_value());
  EXPECT_TRUE(e.deprecated_first_timestamp.IsZero());
  EXPECT_EQ(e.deprecated_count, 0);
  EXPECT_EQ(e.deprecated_source, api::core::v1::EventSource{});
  EXPECT_EQ(seen[1].metadata.namespace_, "default");
  EXPECT_EQ(seen[1].metadata.annotations.at("k"), "v");
  EXPECT_FALSE(seen[1].related.has_value());
}

// Emitted events are recycled once every consumer is done with them: a recycled event must
// carry nothing of the one before (annotations, related, a longer note or name, another
// controller), whichever recorder wrote it.
TEST_F(EventsTest, RecycledEventsCarryNothingOfThePreviousEvent) {
  EventBroadcaster b(sink_, Options());
  SeenEvents watched(b);
  std::vector<Event>& seen = watched.events;
  std::mutex& mu = watched.mu;
  auto first = b.NewRecorder("a-rather-long-controller-name.example.com");
  auto second = b.NewRecorder("c");
  const ObjectReference long_ref = record::testing_support::ALongReference();
  const ObjectReference node{"Node", "", "n1", "uid-n1", "v1", "", ""};
  const ObjectReference short_ref{"Pod", "", "p", "", "v1", "", ""};
  for (int round = 0; round < 50; ++round) {
    first->AnnotatedEventf(long_ref, node, {{"k", "v"}}, "Warning", "ALongReasonForTheEvent",
                           "ALongAction", "a long note number %d that does not fit in place",
                           round);
    ASSERT_TRUE(b.Flush(10s));
    second->Eventf(short_ref, nullptr, "Normal", "R", "A", "n");
    ASSERT_TRUE(b.Flush(10s));
  }
  std::lock_guard lock(mu);
  ASSERT_EQ(seen.size(), 100u);
  for (std::size_t i = 1; i < seen.size(); i += 2) {
    const Event& e = seen[i];
    EXPECT_TRUE(e.metadata.annotations.empty()) << i;
    EXPECT_FALSE(e.related.has_value()) << i;
    EXPECT_EQ(e.metadata.namespace_, "default");
    EXPECT_EQ(e.metadata.name.rfind("p.", 0), 0u) << e.metadata.name;
    EXPECT_EQ(e.regarding, short_ref);
    EXPECT_EQ(e.reason, "R");
    EXPECT_EQ(e.action, "A");
    EXPECT_EQ(e.note, "n");
    EXPECT_EQ(e.type, "Normal");
    EXPECT_EQ(e.reporting_controller, "c");
    EXPECT_EQ(e.reporting_instance, "c-node-1");
    EXPECT_FALSE(e.series.has_value());
    const Event& a = seen[i - 1];
    EXPECT_EQ(a.metadata.annotations, (std::map<std::string, std::string>{{"k", "v"}}));
    EXPECT_EQ(a.regarding, long_ref);
    ASSERT_TRUE(a.related.has_value());
    EXPECT_EQ(*a.related, node);
    EXPECT_EQ(a.note,
              "a long note number " + std::to_string(i / 2) + " that does not fit in place");
    EXPECT_EQ(a.reporting_instance, "a-rather-long-controller-name.example.com-node-1");
  }
}

// A recorder of one's own (a mock, a wrapper) overrides RecordEvent alone: Eventf reaches it
// with the note formatted, whatever kind of object it was given.
TEST(CustomRecorderTest, EventfReachesRecordEventFormatted) {
  struct Recorded {
    std::string regarding, related, type, reason, action, note;
  };
  class MyRecorder final : public EventRecorder {
   public:
    std::shared_ptr<EventRecorder> WithLogger(std::shared_ptr<Logger>) const override {
      return nullptr;
    }
    void RecordEvent(StatusOr<ObjectReference> regarding,
                     std::optional<StatusOr<ObjectReference>> related, const Annotations*,
                     std::string_view type, std::string_view reason, std::string_view action,
                     std::string note) override {
      got.push_back({regarding.ok() ? regarding->name : "error: " + regarding.status().message(),
                     related ? (related->ok() ? (*related)->name : "error") : "none",
                     std::string(type), std::string(reason), std::string(action), std::move(note)});
    }
    std::vector<Recorded> got;
  };
  MyRecorder r;
  api::core::v1::Event object;  // referenced through GetReference
  object.metadata.name = "ev";
  r.Eventf(Pod(), nullptr, "Normal", "R", "A", "%d of %s", 3, "x");
  r.Eventf(object, Pod("other"), "Warning", "W", "B", "plain");
  r.Eventf(static_cast<const api::core::v1::Event*>(nullptr), nullptr, "Normal", "R", "A", "%q",
           "nil");
  ASSERT_EQ(r.got.size(), 3u);
  EXPECT_EQ(r.got[0].regarding, "web-0");
  EXPECT_EQ(r.got[0].related, "none");
  EXPECT_EQ(r.got[0].note, "3 of x");
  EXPECT_EQ(r.got[1].regarding, "ev");
  EXPECT_EQ(r.got[1].related, "other");
  EXPECT_EQ(r.got[1].type, "Warning");
  EXPECT_EQ(r.got[1].action, "B");
  EXPECT_EQ(r.got[2].regarding, "error: can't reference a nil object");
  EXPECT_EQ(r.got[2].note, "\"nil\"");
}

TEST_F(EventsTest, BadRelatedIsDroppedBadRegardingOrTypeDropsTheEvent) {
  EventBroadcaster b(sink_, Options());
  ASSERT_TRUE(b.StartRecordingToSink().ok());
  auto recorder = b.NewRecorder("ctrl");
  api::core::v1::Event no_kind;
  no_kind.type_meta = {};
  recorder->Eventf(Pod(), no_kind, "Normal", "R", "A", "related is unreferenceable");
  recorder->Eventf(no_kind, nullptr, "Normal", "R", "A", "regarding is unreferenceable");
  recorder->Eventf(Pod("x"), nullptr, "Info", "R", "A", "bad type");
  ASSERT_TRUE(b.Flush(10s));
  const auto calls = Calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_FALSE(calls[0].event.related.has_value());
  EXPECT_EQ(b.Stats().dropped_invalid, 2u);
  EXPECT_EQ(logger_->Count("Could not construct reference"), 1);
  EXPECT_EQ(logger_->Count("Could not construct reference, will not report event"), 1);
  EXPECT_EQ(logger_->Count("Unsupported event type"), 1);
}

TEST_F(EventsTest, IsomorphicEventsBecomeOneSeries) {
  EventBroadcaster b(sink_, Options());
  ASSERT_TRUE(b.StartRecordingToSink().ok());
  auto recorder = b.NewRecorder("ctrl");
  recorder->Eventf(Pod(), nullptr, "Warning", "BackOff", "Restart", "restart %d", 1);
  ASSERT_TRUE(b.Flush(10s));
  clock_->Step(1s);
  // The note is not part of the key: a different note still joins the series.
  recorder->Eventf(Pod(), nullptr, "Warning", "BackOff", "Restart", "restart %d", 2);
  ASSERT_TRUE(b.Flush(10s));
  for (int i = 3; i <= 5; ++i)
    recorder->Eventf(Pod(), nullptr, "Warning", "BackOff", "Restart", "r");
  ASSERT_TRUE(b.Flush(10s));

  const auto calls = Calls();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0].verb, FakeEventSink::Verb::kCreate);
  EXPECT_FALSE(calls[0].event.series.has_value());
  EXPECT_EQ(calls[1].verb, FakeEventSink::Verb::kPatch);
  EXPECT_EQ(calls[1].event.metadata.name, calls[0].event.metadata.name);
  EXPECT_EQ(calls[1].event.note, "restart 1");  // series keep the first note
  EXPECT_EQ(calls[1].patch, "{\"series\":{\"count\":2,\"lastObservedTime\":\"" +
                                api::meta::v1::MicroTime(clock_->Now()).ToString() + "\"}}");
  const auto s = b.Stats();
  EXPECT_EQ(s.series_started, 1u);
  EXPECT_EQ(s.series_observed, 3u);
  EXPECT_EQ(s.cached, 1u);
  EXPECT_EQ(s.created, 1u);
  EXPECT_EQ(s.patched, 1u);
}

TEST_F(EventsTest, AFullCacheForgetsTheLeastRecentlyObservedAndWritesItsSeriesCount) {
  BroadcasterOptions o = Options();
  o.max_cached_events = 2;
  EventBroadcaster b(sink_, o);
  ASSERT_TRUE(b.StartRecordingToSink().ok());
  auto recorder = b.NewRecorder("ctrl");
  auto emit = [&](const std::string& pod) {
    clock_->Step(1ms);  // names are <object>.<nanos>: a recreated event gets a new one
    recorder->Eventf(Pod(pod), nullptr, "Warning", "BackOff", "Restart", "restarting");
    ASSERT_TRUE(b.Flush(10s));
  };
  // web-0 becomes a series of 3 (the server has 2: later occurrences are silent).
  emit("web-0");
  emit("web-0");
  emit("web-0");
  emit("web-1");
  ASSERT_EQ(sink_->CallCount(), 3u) << Describe();
  // web-1 was observed last, so web-2 pushes web-0 out: its true count is written first.
  emit("web-2");
  ASSERT_TRUE(Eventually([&] { return sink_->CallCount() == 5u; })) << Describe();
  auto s = b.Stats();
  EXPECT_EQ(s.series_evicted, 1u);
  EXPECT_EQ(s.singletons_evicted, 0u);
  EXPECT_EQ(s.cached, 2u);
  const auto calls = Calls();
  const auto final_write = std::find_if(calls.begin() + 3, calls.end(), [](const auto& c) {
    return c.verb == FakeEventSink::Verb::kPatch;
  });
  ASSERT_NE(final_write, calls.end()) << Describe();
  EXPECT_EQ(final_write->event.metadata.name, calls[0].event.metadata.name);
  EXPECT_NE(final_write->patch.find("\"count\":3"), std::string::npos) << final_write->patch;

  // A touch keeps web-1 (observed again: a series start), so web-3 pushes web-2, a singleton,
  // out without any API call.
  emit("web-1");
  const std::size_t before = sink_->CallCount();
  emit("web-3");
  EXPECT_EQ(sink_->CallCount(), before + 1);  // web-3's create only
  s = b.Stats();
  EXPECT_EQ(s.singletons_evicted, 1u);
  EXPECT_EQ(s.series_evicted, 1u);
  EXPECT_EQ(s.cached, 2u);
  // A forgotten event that recurs is a new singleton, as after the 6-minute expiry (and it
  // pushes web-1's series out, whose count is written on another writer).
  emit("web-0");
  ASSERT_TRUE(Eventually([&] { return b.Stats().series_evicted == 2u; }));
  const auto later = Calls();
  const auto recreated = std::find_if(later.rbegin(), later.rend(), [](const auto& c) {
    return c.verb == FakeEventSink::Verb::kCreate;
  });
  ASSERT_NE(recreated, later.rend()) << Describe();
  EXPECT_EQ(recreated->event.regarding.name, "web-0");
  EXPECT_NE(recreated->event.metadata.name, calls[0].event.metadata.name);

  // The eviction writes are maintenance, not occurrences: the accounting still balances.
  ASSERT_TRUE(b.Flush(10s));
  s = b.Stats();
  EXPECT_EQ(s.failed_series_writes, 0u);
  EXPECT_EQ(s.created + s.patched + s.series_observed, s.emitted);
  EXPECT_EQ(s.emitted, 8u);
}

// Records `n` distinct events (one per pod) through a broadcaster with `options`, flushing
// every 500 so no queue drops; returns its stats.
EventsStats RecordDistinct(std::shared_ptr<FakeEventSink> sink, const BroadcasterOptions& options,
                           int n) {
  EventBroadcaster b(std::move(sink), options);
  EXPECT_TRUE(b.StartRecordingToSink().ok());
  auto recorder = b.NewRecorder("ctrl");
  for (int i = 0; i < n; ++i) {
    recorder->Eventf(Pod("web-" + std::to_string(i)), nullptr, "Normal", "Pulled", "Pull", "x");
    if (i % 500 == 499) {
      EXPECT_TRUE(b.Flush(10s));
    }
  }
  EXPECT_TRUE(b.Flush(10s));
  return b.Stats();
}

TEST_F(EventsTest, ZeroMaxCachedEventsKeepsEveryEventLikeClientGo) {
  BroadcasterOptions o = Options();
  o.max_cached_events = 0;
  const auto s = RecordDistinct(sink_, o, 5000);
  EXPECT_EQ(s.cached, 5000u);
  EXPECT_EQ(s.singletons_evicted, 0u);
  EXPECT_EQ(s.created, 5000u);
}

TEST_F(EventsTest, TheDefaultBoundIsTheCoreV1CacheSize) {
  EXPECT_EQ(BroadcasterOptions{}.max_cached_events, 4096u);
  const auto s = RecordDistinct(sink_, Options(), 4100);
  EXPECT_EQ(s.cached, 4096u);
  EXPECT_EQ(s.singletons_evicted, 4u);
  EXPECT_EQ(s.created, 4100u);
}

TEST_F(EventsTest, KeyIncludesResourceVersionAndRelated) {
  EventBroadcaster b(sink_, Options());
  ASSERT_TRUE(b.StartRecordingToSink().ok());
  auto recorder = b.NewRecorder("ctrl");
  ObjectReference v2 = Pod();
  v2.resource_version = "8";
  ObjectReference node{"Node", "", "n1", "", "v1", "", ""};
  // Step the clock between events: names are <object>.<nanos> and must differ.
  recorder->Eventf(Pod(), nullptr, "Normal", "R", "A", "n");
  clock_->Step(1ms);
  recorder->Eventf(v2, nullptr, "Normal", "R", "A", "n");
  clock_->Step(1ms);
  recorder->Eventf(Pod(), node, "Normal", "R", "A", "n");
  clock_->Step(1ms);
  recorder->Eventf(Pod(), nullptr, "Normal", "R", "Other", "n");
  ASSERT_TRUE(b.Flush(10s));
  EXPECT_EQ(sink_->CallCount(), 4u);
  EXPECT_EQ(b.Stats().created, 4u);
  EXPECT_EQ(GetIsomorphismKey(Event{}), GetIsomorphismKey(Event{}));
}

TEST_F(EventsTest, RefreshWritesTheTrueCountEveryThirtyMinutes) {
  EventBroadcaster b(sink_, Options());
  ASSERT_TRUE(b.StartRecordingToSink().ok());
  WaitForPeriodicTasks();
  auto recorder = b.NewRecorder("ctrl");
  recorder->Eventf(Pod(), nullptr, "Normal", "Pulling", "Pull", "pulling");
  recorder->Eventf(Pod(), nullptr, "Normal", "Pulling", "Pull", "pulling");
  ASSERT_TRUE(b.Flush(10s));
  ASSERT_EQ(sink_->CallCount(), 2u);
  // Keep the series alive (an occurrence every 5 minutes) until the 30-minute heartbeat.
  for (int i = 1; i <= 6; ++i) {
    clock_->Step(5min);
    recorder->Eventf(Pod(), nullptr, "Normal", "Pulling", "Pull", "pulling");
    ASSERT_TRUE(b.Flush(10s));
  }
  ASSERT_TRUE(Eventually([&] { return b.Stats().series_refreshed == 1; }));
  const auto calls = Calls();
  EXPECT_EQ(calls[2].verb, FakeEventSink::Verb::kPatch);
  EXPECT_NE(calls[2].patch.find("\"count\":"), std::string::npos);
  const auto stored = sink_->Stored().begin()->second;
  ASSERT_TRUE(stored.series.has_value());
  EXPECT_GE(stored.series->count, 7);  // 2 + at least the five occurrences before 30 min
  EXPECT_EQ(b.Stats().series_refreshed, 1u);
  EXPECT_EQ(b.Stats().series_finished, 0u);
  EXPECT_EQ(b.Stats().cached, 1u);
}

TEST_F(EventsTest, FinishWritesTheFinalCountAndForgetsTheSeries) {
  EventBroadcaster b(sink_, Options());
  ASSERT_TRUE(b.StartRecordingToSink().ok());
  WaitForPeriodicTasks();
  auto recorder = b.NewRecorder("ctrl");
  for (int i = 0; i < 5; ++i) recorder->Eventf(Pod(), nullptr, "Warning", "Failed", "Sync", "x");
  ASSERT_TRUE(b.Flush(10s));
  ASSERT_EQ(sink_->CallCount(), 2u) << Describe();
  const std::string first_name = Calls()[0].event.metadata.name;

  clock_->Step(7min);
  ASSERT_TRUE(Eventually([&] { return b.Stats().series_finished == 1; }));
  const auto calls = Calls();
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(calls[2].verb, FakeEventSink::Verb::kPatch);
  EXPECT_EQ(sink_->Stored().begin()->second.series->count, 5);
  EXPECT_EQ(b.Stats().cached, 0u);

  // After the series ended, the same event starts a new singleton with a new name.
  recorder->Eventf(Pod(), nullptr, "Warning", "Failed", "Sync", "x");
  ASSERT_TRUE(b.Flush(10s));
  const auto after = Calls();
  ASSERT_EQ(after.size(), 4u);
  EXPECT_EQ(after[3].verb, FakeEventSink::Verb::kCreate);
  EXPECT_NE(after[3].event.metadata.name, first_name);
}

TEST_F(EventsTest, SingletonsAreForgottenSilentlyAfterSixMinutes) {
  EventBroadcaster b(sink_, Options());
  ASSERT_TRUE(b.StartRecordingToSink().ok());
  WaitForPeriodicTasks();
  auto recorder = b.NewRecorder("ctrl");
  recorder->Eventf(Pod(), nullptr, "Normal", "Created", "Create", "x");
  ASSERT_TRUE(b.Flush(10s));
  clock_->Step(6min + 1s);
  ASSERT_TRUE(Eventually([&] { return b.Stats().singletons_expired == 1; }));
  EXPECT_EQ(sink_->CallCount(), 1u);  // no API call for a singleton
  recorder->Eventf(Pod(), nullptr, "Normal", "Created", "Create", "x");
  ASSERT_TRUE(b.Flush(10s));
  ASSERT_EQ(sink_->CallCount(), 2u);
  EXPECT_EQ(Calls()[1].verb, FakeEventSink::Verb::kCreate);  // a new singleton, not a series
}

TEST_F(EventsTest, PatchOf404RecreatesTheSeriesEvent) {
  EventBroadcaster b(sink_, Options());
  ASSERT_TRUE(b.StartRecordingToSink().ok());
  auto recorder = b.NewRecorder("ctrl");
  recorder->Eventf(Pod(), nullptr, "Normal", "R", "A", "x");
  ASSERT_TRUE(b.Flush(10s));
  const auto first = Calls()[0].event;
  sink_->Expire(first.metadata.namespace_, first.metadata.name);
  recorder->Eventf(Pod(), nullptr, "Normal", "R", "A", "x");
  ASSERT_TRUE(b.Flush(10s));
  const auto calls = Calls();
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(calls[1].verb, FakeEventSink::Verb::kPatch);
  EXPECT_EQ(calls[2].verb, FakeEventSink::Verb::kCreate);
  ASSERT_TRUE(calls[2].event.series.has_value());
  EXPECT_EQ(calls[2].event.series->count, 2);
  EXPECT_EQ(calls[2].event.metadata.resource_version, "");
}

TEST_F(EventsTest, AlreadyExistsIsRetriedOnlyForSeries) {
  EventBroadcaster b(sink_, Options());
  ASSERT_TRUE(b.StartRecordingToSink().ok());
  WaitForPeriodicTasks();
  auto recorder = b.NewRecorder("ctrl");
  sink_->FailNext(1, FakeEventSink::AlreadyExists("x"), FakeEventSink::Verb::kCreate);
  recorder->Eventf(Pod("single"), nullptr, "Normal", "R", "A", "x");
  ASSERT_TRUE(b.Flush(10s));
  EXPECT_EQ(sink_->CallCount(), 1u);
  EXPECT_EQ(b.Stats().failed_quietly, 1u);

  // A series event: the patch finds nothing (404), the create races the original (409):
  // retried after a 10-12.5 s sleep, and the retry's patch succeeds.
  recorder->Eventf(Pod("series"), nullptr, "Normal", "R", "A", "x");
  ASSERT_TRUE(b.Flush(10s));
  const auto created = Calls().back().event;
  sink_->Expire(created.metadata.namespace_, created.metadata.name);
  int creates_seen = 0;
  sink_->SetInterceptor([&](const FakeEventSink::Call& c) {
    if (c.verb == FakeEventSink::Verb::kCreate && creates_seen++ == 0) {
      // Someone else created it meanwhile.
      auto e = c.event;
      e.series.reset();
      return FakeEventSink::AlreadyExists(e.metadata.name);
    }
    return Status();
  });
  recorder->Eventf(Pod("series"), nullptr, "Normal", "R", "A", "x");
  ASSERT_TRUE(clock_->BlockUntilWaiters(3));  // the writer sleeps before retrying
  EXPECT_EQ(b.Stats().retries, 1u);
  clock_->Step(12500ms);
  ASSERT_TRUE(Eventually([&] { return b.Stats().created == 2 || b.Stats().patched >= 1; }));
  ASSERT_TRUE(b.Flush(10s));
  const auto calls = Calls();
  // create(single), create(series), patch 404, create 409, then patch 404 + create ok.
  EXPECT_EQ(calls[2].verb, FakeEventSink::Verb::kPatch);
  EXPECT_EQ(calls[3].verb, FakeEventSink::Verb::kCreate);
  EXPECT_EQ(calls[4].verb, FakeEventSink::Verb::kPatch);
  EXPECT_EQ(b.Stats().failed_quietly, 1u);
}

TEST_F(EventsTest, TransportErrorsRetryTwelveTimesWithJitteredSleeps) {
  EventBroadcaster b(sink_, Options());
  ASSERT_TRUE(b.StartRecordingToSink().ok());
  WaitForPeriodicTasks();
  std::vector<Clock::time_point> attempts;
  std::mutex mu;
  sink_->SetInterceptor([&](const FakeEventSink::Call&) {
    std::lock_guard lock(mu);
    attempts.push_back(clock_->Now());
    return FakeEventSink::TransportError();
  });
  b.NewRecorder("ctrl")->Eventf(Pod(), nullptr, "Normal", "R", "A", "x");
  // Advance in 250 ms steps whenever the writer sleeps, so each measured gap is within
  // 250 ms of the real sleep.
  const auto count = [&] {
    std::lock_guard lock(mu);
    return attempts.size();
  };
  const auto last_attempt = [&] {
    std::lock_guard lock(mu);
    return attempts.empty() ? clock_->Now() : attempts.back();
  };
  while (count() < 12) {
    if (clock_->Waiters() < 3) {
      std::this_thread::sleep_for(100us);
      continue;
    }
    const std::size_t before = count();
    clock_->Step(250ms);
    // Once a wake-up is possible (>= 10 s since the last attempt), give the writer time to
    // run before stepping again, so the measured gap stays within one step of the real one.
    if (clock_->Now() - last_attempt() >= 10s) {
      const auto until = std::chrono::steady_clock::now() + 20ms;
      while (count() == before && std::chrono::steady_clock::now() < until) {
        std::this_thread::sleep_for(100us);
      }
    }
  }
  ASSERT_TRUE(b.Flush(10s));
  std::lock_guard lock(mu);
  ASSERT_EQ(attempts.size(), 12u);
  for (std::size_t i = 1; i < attempts.size(); ++i) {
    const auto gap = attempts[i] - attempts[i - 1];
    EXPECT_GE(gap, 10s) << i;
    EXPECT_LT(gap, 12500ms + 250ms) << i;
  }
  EXPECT_EQ(b.Stats().failed_retry_limit, 1u);
  EXPECT_EQ(b.Stats().retries, 11u);
  EXPECT_EQ(logger_->Count("Unable to write event (retry limit exceeded!)"), 1);
}

TEST_F(EventsTest, ApiRejectionsGiveUp) {
  EventBroadcaster b(sink_, Options());
  ASSERT_TRUE(b.StartRecordingToSink().ok());
  sink_->FailNext(1, FakeEventSink::Invalid("x", "reportingController", "Required value"));
  b.NewRecorder("ctrl")->Eventf(Pod(), nullptr, "Normal", "R", "A", "x");
  ASSERT_TRUE(b.Flush(10s));
  EXPECT_EQ(sink_->CallCount(), 1u);
  EXPECT_EQ(b.Stats().failed_rejected, 1u);
  EXPECT_EQ(logger_->Count("Server rejected event (will not retry!)"), 1);
}

TEST_F(EventsTest, AStormOfIsomorphicEventsCostsOneCreateAndOnePatch) {
  auto o = Options();
  o.logger = std::make_shared<NullLogger>();
  EventBroadcaster b(sink_, o);
  ASSERT_TRUE(b.StartRecordingToSink().ok());
  auto recorder = b.NewRecorder("ctrl");
  constexpr int kEvents = 100000;
  for (int i = 0; i < kEvents; ++i) {
    recorder->Eventf(Pod(), nullptr, "Warning", "BackOff", "Restart", "restart %d", i);
  }
  ASSERT_TRUE(b.Flush(30s));
  EXPECT_EQ(sink_->CallCount(), 2u);
  const auto s = b.Stats();
  EXPECT_EQ(s.cached, 1u);
  EXPECT_EQ(s.emitted + s.dropped_queue_full, static_cast<std::uint64_t>(kEvents));
  EXPECT_EQ(1 + s.series_started + s.series_observed + s.dropped_consumer_full, s.emitted);
}

// Flush waits for writes in flight, not only for queued ones, and wakes when the last of them
// ends (the writers count without a lock and only the last one wakes it).
TEST_F(EventsTest, FlushWaitsUntilTheLastWriteInFlightEnds) {
  std::mutex mu;
  std::condition_variable cv;
  bool open = false;
  int waiting = 0;
  sink_->SetInterceptor([&](const FakeEventSink::Call&) {
    std::unique_lock lock(mu);
    ++waiting;
    cv.notify_all();
    cv.wait(lock, [&] { return open; });
    return Status();
  });
  EventBroadcaster b(sink_, Options());
  ASSERT_TRUE(b.StartRecordingToSink().ok());
  auto recorder = b.NewRecorder("ctrl");
  constexpr int kEvents = 6;  // distinct objects: six creates, over the writers
  for (int i = 0; i < kEvents; ++i) {
    recorder->Eventf(Pod("web-" + std::to_string(i)), nullptr, "Normal", "Started", "Start", "x");
  }
  {
    std::unique_lock lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, 10s, [&] { return waiting >= 1; }));
  }
  EXPECT_FALSE(b.Flush(50ms)) << "a write is held in the sink";
  std::thread opener([&] {
    std::this_thread::sleep_for(20ms);
    std::lock_guard lock(mu);
    open = true;
    cv.notify_all();
  });
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(b.Flush(30s));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 20s);
  opener.join();
  EXPECT_EQ(sink_->CallCount(), static_cast<std::size_t>(kEvents));
  EXPECT_EQ(b.Stats().created, static_cast<std::uint64_t>(kEvents));
  // Idle again, and a later write is waited for as well.
  recorder->Eventf(Pod("late"), nullptr, "Normal", "Started", "Start", "x");
  EXPECT_TRUE(b.Flush(30s));
  EXPECT_EQ(b.Stats().created, static_cast<std::uint64_t>(kEvents + 1));
}

TEST_F(EventsTest, StartingTwiceIsAnErrorAndShutdownLeavesNoThreads) {
  record::testing_support::SettleRuntimeThreads();
  const int before = record::testing_support::ThreadCount();
  {
    EventBroadcaster b(sink_, Options());
    ASSERT_TRUE(b.StartRecordingToSink().ok());
    Status again = b.StartRecordingToSink();
    EXPECT_EQ(again.code(), StatusCode::kFailedPrecondition);
    EXPECT_EQ(again.message(), "broadcaster is already recording to a sink");
    b.StartStructuredLogging(2);
    EXPECT_GT(record::testing_support::ThreadCount(), before);
    b.NewRecorder("c")->Eventf(Pod(), nullptr, "Normal", "R", "A", "x");
    b.Shutdown();
    EXPECT_EQ(record::testing_support::ThreadCount(), before)
        << record::testing_support::ThreadNames();
    b.NewRecorder("c")->Eventf(Pod(), nullptr, "Normal", "R", "A", "after");
    EXPECT_EQ(b.Stats().dropped_shutdown, 1u);
  }
  EXPECT_EQ(record::testing_support::ThreadCount(), before)
      << record::testing_support::ThreadNames();
}

TEST_F(EventsTest, StopTokenEndsRecording) {
  EventBroadcaster b(sink_, Options());
  std::stop_source stop;
  ASSERT_TRUE(b.StartRecordingToSink(stop.get_token()).ok());
  auto recorder = b.NewRecorder("c");
  recorder->Eventf(Pod("a"), nullptr, "Normal", "R", "A", "x");
  ASSERT_TRUE(b.Flush(10s));
  stop.request_stop();
  recorder->Eventf(Pod("b"), nullptr, "Normal", "R", "A", "x");
  EXPECT_TRUE(b.Flush(10s));
  EXPECT_EQ(sink_->CallCount(), 1u);
}

TEST_F(EventsTest, StructuredLogging) {
  EventBroadcaster b(sink_, Options());
  b.StartStructuredLogging(4);
  b.NewRecorder("c")->Eventf(Pod(), nullptr, "Normal", "Pulled", "Pull", "image %s", "nginx");
  ASSERT_TRUE(b.Flush(10s));
  bool found = false;
  for (const auto& r : logger_->Records()) {
    if (r.message != "Event occurred") continue;
    found = true;
    EXPECT_EQ(r.verbosity, 4);
    const std::vector<std::pair<std::string, std::string>> want = {
        {"object", "prod/web-0"}, {"kind", "Pod"},    {"apiVersion", "v1"},   {"type", "Normal"},
        {"reason", "Pulled"},     {"action", "Pull"}, {"note", "image nginx"}};
    EXPECT_EQ(r.fields, want);
  }
  EXPECT_TRUE(found);
}

TEST(SeriesPatchTest, ExactBody) {
  api::events::v1::EventSeries s{14, api::meta::v1::MicroTime(api::meta::v1::TimePoint(
                                         std::chrono::microseconds(1714557903654321)))};
  EXPECT_EQ(MakeSeriesPatch(s),
            R"({"series":{"count":14,"lastObservedTime":"2024-05-01T10:05:03.654321Z"}})");
}

}  // namespace
}  // namespace kube::events
