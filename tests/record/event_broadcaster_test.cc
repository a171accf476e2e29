// EventBroadcaster + EventRecorder + recordToSink: client-go tools/record behaviour end to end
// against the in-memory FakeEventSink, with injected clocks (no sleeping on retries).
#include <gtest/gtest.h>

#include <latch>

#include "kubeevents/api/core/v1/event.h"
#include "kubeevents/api/errors/errors.h"
#include "kubeevents/tools/record/event_broadcaster.h"
#include "kubeevents/tools/record/testing/fake_event_sink.h"
#include "test_support.h"

namespace kube::record {
namespace {

using api::core::v1::Event;
using api::core::v1::ObjectReference;
using testing::FakeEventSink;
using testing_support::CapturingLogger;
using testing_support::Eventually;
using testing_support::InstantSleepClock;
using namespace std::chrono_literals;

ObjectReference Pod(std::string name = "web-0", std::string ns = "prod") {
  return {"Pod", std::move(ns), std::move(name), "uid-" + name, "v1", "12", ""};
}

class BroadcasterTest : public ::testing::Test {
 protected:
  std::shared_ptr<CapturingLogger> logger_ = std::make_shared<CapturingLogger>();
  std::shared_ptr<InstantSleepClock> clock_ = std::make_shared<InstantSleepClock>();

  BroadcasterOptions Options() {
    BroadcasterOptions o;
    o.logger = logger_;
    o.clock = clock_;
    o.random_seed = 42;
    o.correlator_options.clock = std::make_shared<FakeClock>();
    return o;
  }
};

// Every event a StartEventWatcher handler was given; read it after Flush, under `mu`.
using SeenEvents = testing_support::SeenEvents<Event>;

TEST_F(BroadcasterTest, RecorderBuildsTheEventLikeClientGo) {
  EventBroadcaster b(Options());
  SeenEvents watched(b);
  std::vector<Event>& seen = watched.events;
  std::mutex& mu = watched.mu;
  auto recorder = b.NewRecorder({"my-controller", "host-1"});
  recorder->Eventf(Pod(), "Normal", "Scaled", "Scaled %s to %d replicas", "web", 3);
  ObjectReference node{"Node", "", "n1", "uid-n1", "v1", "", ""};
  recorder->AnnotatedEventf(node, {{"a", "b"}}, "Warning", "NodeNotReady", "node %q", "n1");
  ASSERT_TRUE(b.Flush(10s));

  std::lock_guard lock(mu);
  ASSERT_EQ(seen.size(), 2u);
  const Event& e = seen[0];
  const auto nanos =
      std::chrono::duration_cast<std::chrono::nanoseconds>(clock_->Now().time_since_epoch())
          .count();
  char hex[24];
  std::snprintf(hex, sizeof hex, "%llx", static_cast<unsigned long long>(nanos));
  EXPECT_EQ(e.metadata.name, std::string("web-0.") + hex);
  EXPECT_EQ(e.metadata.namespace_, "prod");
  EXPECT_EQ(e.involved_object, Pod());
  EXPECT_EQ(e.reason, "Scaled");
  EXPECT_EQ(e.message, "Scaled web to 3 replicas");
  EXPECT_EQ(e.type, "Normal");
  EXPECT_EQ(e.count, 1);
  EXPECT_EQ(e.first_timestamp.time(), clock_->Now());
  EXPECT_EQ(e.first_timestamp, e.last_timestamp);
  EXPECT_EQ(e.source.component, "my-controller");
  EXPECT_EQ(e.source.host, "host-1");
  EXPECT_EQ(e.reporting_controller, "my-controller");
  EXPECT_EQ(e.reporting_instance, "host-1");
  EXPECT_TRUE(e.event_time.IsZero());
  EXPECT_FALSE(e.series.has_value());

  const Event& n = seen[1];
  EXPECT_EQ(n.metadata.namespace_, "default");  // cluster-scoped object
  EXPECT_EQ(n.metadata.annotations.at("a"), "b");
  EXPECT_EQ(n.message, "node \"n1\"");
}

TEST_F(BroadcasterTest, InvalidEventsAreLoggedCountedAndDropped) {
  EventBroadcaster b(Options());
  auto sink = std::make_shared<FakeEventSink>();
  b.StartRecordingToSink(sink);
  auto recorder = b.NewRecorder({"c", ""});
  recorder->Event(Pod(), "Critical", "Boom", "bad type");
  Event no_kind;
  no_kind.type_meta = {};
  recorder->Event(no_kind, "Normal", "X", "unreferenceable");
  recorder->Event(static_cast<const Event*>(nullptr), "Normal", "X", "null");
  ASSERT_TRUE(b.Flush(10s));
  EXPECT_EQ(sink->CallCount(), 0u);
  EXPECT_EQ(b.Stats().dropped_invalid, 3u);
  EXPECT_EQ(b.Stats().emitted, 0u);
  EXPECT_EQ(logger_->Count("Unsupported event type"), 1);
  EXPECT_EQ(logger_->Count("Could not construct reference, will not report event"), 2);
}

TEST_F(BroadcasterTest, RepeatsArePatchedAgainstTheFirstOccurrence) {
  EventBroadcaster b(Options());
  auto sink = std::make_shared<FakeEventSink>();
  b.StartRecordingToSink(sink);
  auto recorder = b.NewRecorder({"c", ""});
  for (int i = 0; i < 3; ++i) recorder->Event(Pod(), "Warning", "BackOff", "Back-off restarting");
  ASSERT_TRUE(b.Flush(10s));
  const auto calls = sink->Calls();
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(calls[0].verb, FakeEventSink::Verb::kCreate);
  EXPECT_EQ(calls[1].verb, FakeEventSink::Verb::kPatch);
  EXPECT_EQ(calls[1].event.metadata.name, calls[0].event.metadata.name);
  EXPECT_EQ(calls[1].patch, "{\"count\":2,\"lastTimestamp\":\"" +
                                calls[1].event.last_timestamp.ToString() +
                                "\",\"message\":\"Back-off restarting\"}");
  EXPECT_EQ(calls[2].patch.substr(0, 10), "{\"count\":3");
  const auto stored = sink->Stored();
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored.begin()->second.count, 3);
  EXPECT_EQ(b.Stats().created, 1u);
  EXPECT_EQ(b.Stats().patched, 2u);
}

TEST_F(BroadcasterTest, PatchOf404RecreatesWithEmptyResourceVersion) {
  EventBroadcaster b(Options());
  auto sink = std::make_shared<FakeEventSink>();
  b.StartRecordingToSink(sink);
  auto recorder = b.NewRecorder({"c", ""});
  recorder->Event(Pod(), "Normal", "Pulled", "pulled");
  ASSERT_TRUE(b.Flush(10s));
  const auto first = sink->Calls()[0].event;
  sink->Expire(first.metadata.namespace_, first.metadata.name);  // the apiserver's TTL
  recorder->Event(Pod(), "Normal", "Pulled", "pulled");
  ASSERT_TRUE(b.Flush(10s));
  const auto calls = sink->Calls();
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(calls[1].verb, FakeEventSink::Verb::kPatch);
  EXPECT_EQ(calls[2].verb, FakeEventSink::Verb::kCreate);
  EXPECT_EQ(calls[2].event.metadata.name, first.metadata.name);
  EXPECT_EQ(calls[2].event.count, 2);  // a count>1 create, as client-go does
  EXPECT_EQ(calls[2].event.metadata.resource_version, "");
}

TEST_F(BroadcasterTest, TransportErrorsRetryWithJitteredFirstSleepThenFixed) {
  EventBroadcaster b(Options());
  auto sink = std::make_shared<FakeEventSink>();
  sink->FailNext(3, FakeEventSink::TransportError());
  b.StartRecordingToSink(sink);
  b.NewRecorder({"c", ""})->Event(Pod(), "Normal", "R", "m");
  ASSERT_TRUE(b.Flush(10s));
  EXPECT_EQ(sink->CallCount(), 4u);
  EXPECT_EQ(sink->Stored().size(), 1u);
  const auto sleeps = clock_->Sleeps();
  ASSERT_EQ(sleeps.size(), 3u);
  EXPECT_GE(sleeps[0], 0s);
  EXPECT_LT(sleeps[0], 10s);
  EXPECT_EQ(sleeps[1], 10s);
  EXPECT_EQ(sleeps[2], 10s);
  EXPECT_EQ(b.Stats().retries, 3u);
  EXPECT_EQ(logger_->Count("Unable to write event (may retry after sleeping)"), 3);
}

TEST_F(BroadcasterTest, GivesUpAfterTwelveTries) {
  auto o = Options();
  o.sleep_duration = 3s;  // WithSleepDuration
  EventBroadcaster b(o);
  auto sink = std::make_shared<FakeEventSink>();
  sink->FailNext(1000, FakeEventSink::TransportError());
  b.StartRecordingToSink(sink);
  b.NewRecorder({"c", ""})->Event(Pod(), "Normal", "R", "m");
  ASSERT_TRUE(b.Flush(10s));
  EXPECT_EQ(sink->CallCount(), 12u);
  EXPECT_EQ(clock_->Sleeps().size(), 11u);
  EXPECT_EQ(clock_->Sleeps().back(), 3s);
  EXPECT_EQ(b.Stats().failed_retry_limit, 1u);
  EXPECT_EQ(logger_->Count("Unable to write event (retry limit exceeded!)"), 1);
}

TEST_F(BroadcasterTest, ApiRejectionsGiveUpAndQuietOnesLogAtV5) {
  struct Case {
    Status status;
    bool quiet;
  };
  const std::vector<Case> cases = {
      {FakeEventSink::Invalid("x", "involvedObject.namespace", "does not match"), false},
      {FakeEventSink::AlreadyExists("x"), true},
      {FakeEventSink::NamespaceTerminating("prod"), true},
      {Status::FromAPIStatus(api::errors::NewTooManyRequests("slow down", 0), 429), false},
  };
  for (const auto& c : cases) {
    auto logger = std::make_shared<CapturingLogger>();
    auto o = Options();
    o.logger = logger;
    EventBroadcaster b(o);
    auto sink = std::make_shared<FakeEventSink>();
    sink->FailNext(1, c.status);
    b.StartRecordingToSink(sink);
    b.NewRecorder({"c", ""})->Event(Pod(), "Normal", "R", "m");
    ASSERT_TRUE(b.Flush(10s));
    EXPECT_EQ(sink->CallCount(), 1u) << c.status;
    EXPECT_TRUE(clock_->Sleeps().empty());
    bool found = false;
    for (const auto& r : logger->Records()) {
      if (r.message != "Server rejected event (will not retry!)") continue;
      found = true;
      EXPECT_EQ(r.severity, c.quiet ? LogSeverity::kInfo : LogSeverity::kError) << c.status;
      if (c.quiet) {
        EXPECT_EQ(r.verbosity, 5);
      }
    }
    EXPECT_TRUE(found) << c.status;
    EXPECT_EQ(c.quiet ? b.Stats().failed_quietly : b.Stats().failed_rejected, 1u);
  }
}

TEST_F(BroadcasterTest, RequestBuildingErrorsGiveUp) {
  EventBroadcaster b(Options());
  auto sink = std::make_shared<FakeEventSink>();
  sink->FailNext(1, Status(StatusCode::kInvalidArgument, "bad URL", ErrorOrigin::kRequestBuilding));
  b.StartRecordingToSink(sink);
  b.NewRecorder({"c", ""})->Event(Pod(), "Normal", "R", "m");
  ASSERT_TRUE(b.Flush(10s));
  EXPECT_EQ(sink->CallCount(), 1u);
  EXPECT_EQ(b.Stats().failed_request_building, 1u);
  EXPECT_EQ(logger_->Count("Unable to construct event (will not retry!)"), 1);
}

TEST_F(BroadcasterTest, FailedPatchThatIsNot404IsRetriedAsAPatch) {
  EventBroadcaster b(Options());
  auto sink = std::make_shared<FakeEventSink>();
  b.StartRecordingToSink(sink);
  auto recorder = b.NewRecorder({"c", ""});
  recorder->Event(Pod(), "Normal", "R", "m");
  ASSERT_TRUE(b.Flush(10s));
  sink->FailNext(1, FakeEventSink::TransportError(), FakeEventSink::Verb::kPatch);
  recorder->Event(Pod(), "Normal", "R", "m");
  ASSERT_TRUE(b.Flush(10s));
  const auto calls = sink->Calls();
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(calls[1].verb, FakeEventSink::Verb::kPatch);
  EXPECT_EQ(calls[2].verb, FakeEventSink::Verb::kPatch);
}

TEST_F(BroadcasterTest, ShutdownAbortsRetrySleeps) {
  auto o = Options();
  auto fake = std::make_shared<FakeClock>();
  o.clock = fake;  // never stepped: the retry sleep only ends by cancellation
  EventBroadcaster b(o);
  auto sink = std::make_shared<FakeEventSink>();
  sink->FailNext(1000, FakeEventSink::TransportError());
  b.StartRecordingToSink(sink);
  b.NewRecorder({"c", ""})->Event(Pod(), "Normal", "R", "m");
  ASSERT_TRUE(fake->BlockUntilWaiters(1));
  b.Shutdown();
  EXPECT_EQ(sink->CallCount(), 1u);
  EXPECT_EQ(b.Stats().failed_shutdown, 1u);
  EXPECT_EQ(logger_->Count("Unable to write event (broadcaster is shut down)"), 1);
}

TEST_F(BroadcasterTest, EachSinkHasItsOwnCorrelator) {
  auto o = Options();
  o.correlator_options.burst_size = 1;
  EventBroadcaster b(o);
  auto a = std::make_shared<FakeEventSink>();
  auto c = std::make_shared<FakeEventSink>();
  b.StartRecordingToSink(a);
  b.StartRecordingToSink(c);
  auto recorder = b.NewRecorder({"comp", ""});
  recorder->Event(Pod(), "Normal", "R", "one");
  recorder->Event(Pod(), "Normal", "R", "two");  // spam-filtered by each sink's own bucket
  ASSERT_TRUE(b.Flush(10s));
  EXPECT_EQ(a->CallCount(), 1u);
  EXPECT_EQ(c->CallCount(), 1u);
  EXPECT_EQ(b.Stats().skipped_spam, 2u);
}

TEST_F(BroadcasterTest, StoppingOneConsumerLeavesTheOthers) {
  EventBroadcaster b(Options());
  auto a = std::make_shared<FakeEventSink>();
  auto c = std::make_shared<FakeEventSink>();
  ConsumerHandle ha = b.StartRecordingToSink(a);
  b.StartRecordingToSink(c);
  auto recorder = b.NewRecorder({"comp", ""});
  recorder->Event(Pod("a"), "Normal", "R", "m");
  ASSERT_TRUE(b.Flush(10s));
  ha.Stop();
  ha.Stop();  // idempotent
  ASSERT_TRUE(Eventually([&] { return ha.Done(); }));
  recorder->Event(Pod("b"), "Normal", "R", "m");
  ASSERT_TRUE(b.Flush(10s));
  EXPECT_EQ(a->CallCount(), 1u);
  EXPECT_EQ(c->CallCount(), 2u);
}

TEST_F(BroadcasterTest, StopFromInsideTheHandler) {
  EventBroadcaster b(Options());
  std::atomic<int> calls{0};
  auto handle = std::make_shared<ConsumerHandle>();
  *handle = b.StartEventWatcher([&, handle](const Event&) {
    ++calls;
    handle->Stop();
  });
  auto recorder = b.NewRecorder({"comp", ""});
  recorder->Event(Pod(), "Normal", "R", "m");
  ASSERT_TRUE(Eventually([&] { return handle->Done(); }));
  recorder->Event(Pod(), "Normal", "R", "m2");
  EXPECT_TRUE(b.Flush(10s));
  EXPECT_EQ(calls.load(), 1);
}

TEST_F(BroadcasterTest, FlushTimesOutWhileASinkIsStuck) {
  EventBroadcaster b(Options());
  auto sink = std::make_shared<FakeEventSink>();
  std::latch release(1);
  sink->SetInterceptor([&](const FakeEventSink::Call&) {
    release.wait();
    return Status();
  });
  b.StartRecordingToSink(sink);
  b.NewRecorder({"comp", ""})->Event(Pod(), "Normal", "R", "m");
  EXPECT_FALSE(b.Flush(50ms));
  release.count_down();
  EXPECT_TRUE(b.Flush(10s));
  EXPECT_EQ(sink->Stored().size(), 1u);
}

TEST_F(BroadcasterTest, EmittingAfterShutdownOnlyLogsAndCounts) {
  EventBroadcaster b(Options());
  auto recorder = b.NewRecorder({"comp", ""});
  b.Shutdown();
  b.Shutdown();  // idempotent
  recorder->Event(Pod(), "Normal", "R", "m");
  EXPECT_EQ(b.Stats().dropped_shutdown, 1u);
  EXPECT_EQ(logger_->Count("Unable to record event (will not retry!)"), 1);
  auto handle = b.StartEventWatcher([](const Event&) {});
  EXPECT_TRUE(handle.Done());
  EXPECT_EQ(logger_->Count("Unable start event watcher (will not retry!)"), 1);
  EXPECT_TRUE(b.Flush(1s));
}

TEST_F(BroadcasterTest, RecorderOutlivesTheBroadcaster) {
  std::shared_ptr<EventRecorder> recorder;
  {
    EventBroadcaster b(Options());
    recorder = b.NewRecorder({"comp", ""});
  }
  recorder->Event(Pod(), "Normal", "R", "m");  // logs, never crashes
  EXPECT_EQ(logger_->Count("Unable to record event (will not retry!)"), 1);
}

TEST_F(BroadcasterTest, EveryEventOfABurstIsAccountedFor) {
  auto o = Options();
  o.max_queued_events = 8;
  EventBroadcaster b(o);
  auto sink = std::make_shared<FakeEventSink>();
  b.StartRecordingToSink(sink);
  auto recorder = b.NewRecorder({"comp", ""});
  constexpr int kEvents = 5000;
  for (int i = 0; i < kEvents; ++i)
    recorder->Event(Pod("p" + std::to_string(i)), "Normal", "R", "m");
  ASSERT_TRUE(b.Flush(30s));
  const RecordStats s = b.Stats();
  EXPECT_EQ(s.emitted + s.dropped_queue_full, static_cast<std::uint64_t>(kEvents));
  // Every emitted event reached the sink (written or skipped) or was counted as a consumer drop.
  EXPECT_EQ(s.created + s.skipped_spam + s.dropped_consumer_full + s.abandoned, s.emitted);
  const int queue_drop_logs =
      logger_->Count("Unable to record event: too many queued events, dropped event");
  EXPECT_EQ(static_cast<std::uint64_t>(queue_drop_logs), s.dropped_queue_full);
  if (s.dropped_consumer_full > 0) {
    EXPECT_GE(logger_->Count("Dropped events: a consumer's queue was full"), 1);
  }
}

TEST_F(BroadcasterTest, StartLoggingUsesClientGoFormat) {
  EventBroadcaster b(Options());
  std::vector<std::string> lines;
  std::mutex mu;
  b.StartLogging([&](std::string_view line) {
    std::lock_guard lock(mu);
    lines.emplace_back(line);
  });
  ObjectReference ref{"Pod", "baz", "foo", "bar", "v1", "", "spec.containers[2]"};
  b.NewRecorder({"c", ""})->Eventf(ref, "Normal", "Started", "some verbose message: %d", 1);
  ASSERT_TRUE(b.Flush(10s));
  std::lock_guard lock(mu);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0],
            "Event(v1.ObjectReference{Kind:\"Pod\", Namespace:\"baz\", Name:\"foo\", UID:\"bar\", "
            "APIVersion:\"v1\", ResourceVersion:\"\", FieldPath:\"spec.containers[2]\"}): "
            "type: 'Normal' reason: 'Started' some verbose message: 1");
}

TEST_F(BroadcasterTest, StructuredLogging) {
  EventBroadcaster b(Options());
  b.StartStructuredLogging(3);
  b.NewRecorder({"c", ""})->Event(Pod(), "Warning", "Failed", "it broke");
  ASSERT_TRUE(b.Flush(10s));
  bool found = false;
  for (const auto& r : logger_->Records()) {
    if (r.message != "Event occurred") continue;
    found = true;
    EXPECT_EQ(r.verbosity, 3);
    const std::vector<std::pair<std::string, std::string>> want = {
        {"object", "prod/web-0"}, {"fieldPath", ""},   {"kind", "Pod"},
        {"apiVersion", "v1"},     {"type", "Warning"}, {"reason", "Failed"},
        {"message", "it broke"}};
    EXPECT_EQ(r.fields, want);
  }
  EXPECT_TRUE(found);
}

TEST_F(BroadcasterTest, WithLoggerRedirectsEmitErrors) {
  EventBroadcaster b(Options());
  auto other = std::make_shared<CapturingLogger>();
  auto recorder = b.NewRecorder({"c", ""})->WithLogger(other);
  recorder->Event(Pod(), "Bogus", "R", "m");
  EXPECT_EQ(other->Count("Unsupported event type"), 1);
  EXPECT_EQ(logger_->Count("Unsupported event type"), 0);
}

TEST_F(BroadcasterTest, StopTokenShutsTheBroadcasterDown) {
  std::stop_source ctx;
  auto o = Options();
  o.stop_token = ctx.get_token();
  EventBroadcaster b(o);
  auto sink = std::make_shared<FakeEventSink>();
  auto handle = b.StartRecordingToSink(sink);
  auto recorder = b.NewRecorder({"c", ""});
  recorder->Event(Pod(), "Normal", "R", "m");
  ASSERT_TRUE(b.Flush(10s));
  ctx.request_stop();
  ASSERT_TRUE(Eventually([&] { return handle.Done(); }));
  recorder->Event(Pod(), "Normal", "R", "after");
  EXPECT_TRUE(Eventually([&] { return b.Stats().dropped_shutdown == 1; }));
}

TEST_F(BroadcasterTest, NoThreadOutlivesShutdown) {
  testing_support::SettleRuntimeThreads();
  const int before = testing_support::ThreadCount();
  {
    std::stop_source ctx;
    auto o = Options();
    o.stop_token = ctx.get_token();
    EventBroadcaster b(o);
    for (int i = 0; i < 3; ++i) b.StartRecordingToSink(std::make_shared<FakeEventSink>());
    b.StartLogging([](std::string_view) {});
    b.StartStructuredLogging(10);
    EXPECT_GT(testing_support::ThreadCount(), before);
    b.NewRecorder({"c", ""})->Event(Pod(), "Normal", "R", "m");
    b.Shutdown();
    EXPECT_EQ(testing_support::ThreadCount(), before) << testing_support::ThreadNames();
  }
  EXPECT_EQ(testing_support::ThreadCount(), before) << testing_support::ThreadNames();
}

TEST_F(BroadcasterTest, ConcurrentEmittersRaceShutdownSafely) {
  EventBroadcaster b(Options());
  auto sink = std::make_shared<FakeEventSink>();
  b.StartRecordingToSink(sink);
  auto recorder = b.NewRecorder({"c", ""});
  std::vector<std::jthread> emitters;
  std::atomic<int> attempted{0};
  for (int t = 0; t < 4; ++t) {
    emitters.emplace_back([&, t] {
      for (int i = 0; i < 500; ++i) {
        recorder->Eventf(Pod("p" + std::to_string(t)), "Normal", "R", "event %d", i);
        ++attempted;
      }
    });
  }
  std::this_thread::sleep_for(1ms);
  b.Shutdown();
  emitters.clear();  // join
  const RecordStats s = b.Stats();
  // Emit side: every call is in exactly one bucket.
  EXPECT_EQ(s.emitted + s.dropped_queue_full + s.dropped_shutdown + s.dropped_invalid,
            static_cast<std::uint64_t>(attempted.load()));
  // Sink side: every emitted event has exactly one outcome for the one sink.
  const std::uint64_t outcomes = s.created + s.patched + s.skipped_spam + s.failed_rejected +
                                 s.failed_quietly + s.failed_request_building +
                                 s.failed_retry_limit + s.failed_shutdown;
  EXPECT_EQ(outcomes + s.dropped_consumer_full + s.abandoned, s.emitted);
}

// A consumer that ran out of events polls for a while before it blocks, and an Eventf that
// hands its event over directly does not wake a polling consumer: it must still get every
// event, whether it arrived during the poll (picked up when the poll ends) or after the
// consumer blocked (woken at once). No Flush here: its marker would wake the consumer.
TEST_F(BroadcasterTest, EventsReachAPollingOrSleepingConsumerWithoutFlush) {
  EventBroadcaster b(Options());
  std::atomic<int> handled{0};
  b.StartEventWatcher([&](const Event&) { handled.fetch_add(1); });
  auto recorder = b.NewRecorder({"c", ""});
  int sent = 0;
  for (int round = 0; round < 20; ++round) {
    // Back to back (the consumer is busy or polling), then after a pause long enough for
    // it to have stopped polling and blocked.
    for (int i = 0; i < 5; ++i, ++sent) recorder->Eventf(Pod(), "Normal", "R", "m %d", sent);
    ASSERT_TRUE(Eventually([&] { return handled.load() == sent; }, 10s))
        << handled.load() << " of " << sent << " handled";
    std::this_thread::sleep_for(round % 2 == 0 ? 50us : 2ms);
    recorder->Eventf(Pod(), "Normal", "R", "after a pause %d", sent++);
    ASSERT_TRUE(Eventually([&] { return handled.load() == sent; }, 10s))
        << handled.load() << " of " << sent << " handled";
  }
  EXPECT_EQ(b.Stats().dropped_consumer_full, 0u);
}

// Emitted events are recycled once every consumer is done with them: a recycled event must
// carry nothing of the one before (annotations, a longer name, field path, another source).
TEST_F(BroadcasterTest, RecycledEventsCarryNothingOfThePreviousEvent) {
  EventBroadcaster b(Options());
  SeenEvents watched(b);
  auto first = b.NewRecorder({"a-rather-long-controller-name", "a-long-host-name-0001"});
  auto second = b.NewRecorder({"c", ""});
  const ObjectReference long_ref = testing_support::ALongReference();
  for (int round = 0; round < 50; ++round) {
    first->AnnotatedEventf(long_ref, {{"k", "v"}}, "Warning", "ALongReasonForTheEvent",
                           "a long message number %d that does not fit in place", round);
    ASSERT_TRUE(b.Flush(10s));
    second->Eventf(ObjectReference{"Pod", "", "p", "", "v1", "", ""}, "Normal", "R", "m");
    ASSERT_TRUE(b.Flush(10s));
  }
  std::lock_guard lock(watched.mu);
  const std::vector<Event>& seen = watched.events;
  ASSERT_EQ(seen.size(), 100u);
  for (std::size_t i = 1; i < seen.size(); i += 2) {
    const Event& e = seen[i];
    EXPECT_TRUE(e.metadata.annotations.empty()) << i;
    EXPECT_EQ(e.metadata.namespace_, "default");
    EXPECT_EQ(e.metadata.name.rfind("p.", 0), 0u) << e.metadata.name;
    EXPECT_EQ(e.involved_object, (ObjectReference{"Pod", "", "p", "", "v1", "", ""}));
    EXPECT_EQ(e.reason, "R");
    EXPECT_EQ(e.message, "m");
    EXPECT_EQ(e.type, "Normal");
    EXPECT_EQ(e.source.component, "c");
    EXPECT_EQ(e.source.host, "");
    EXPECT_EQ(e.reporting_controller, "c");
    EXPECT_EQ(e.reporting_instance, "");
    EXPECT_EQ(e.count, 1);
    const Event& a = seen[i - 1];
    EXPECT_EQ(a.metadata.annotations, (std::map<std::string, std::string>{{"k", "v"}}));
    EXPECT_EQ(a.involved_object, long_ref);
    EXPECT_EQ(a.message,
              "a long message number " + std::to_string(i / 2) + " that does not fit in place");
  }
}

}  // namespace
}  // namespace kube::record
