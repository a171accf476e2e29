// EventCorrelator: the aggregation, dedup and spam-filter rules of client-go's events_cache.go,
// driven by a FakeClock (no sleeping).
#include <gtest/gtest.h>

#include "kubeevents/api/common/clock.h"
#include "kubeevents/tools/record/event_correlator.h"

namespace kube::record {
namespace {

using api::core::v1::Event;
using namespace std::chrono_literals;

Event MakeEvent(std::string message, std::string reason = "Started", std::string type = "Normal") {
  Event e;
  e.metadata.name = "pod1.abc";
  e.metadata.namespace_ = "ns";
  e.involved_object = {"Pod", "ns", "pod1", "uid-1", "v1", "12", "spec.containers{app}"};
  e.reason = std::move(reason);
  e.message = std::move(message);
  e.type = std::move(type);
  e.source = {"kubelet", "node-1"};
  e.count = 1;
  e.reporting_controller = "kubelet";
  e.reporting_instance = "node-1";
  return e;
}

class CorrelatorTest : public ::testing::Test {
 protected:
  std::shared_ptr<FakeClock> clock_ = std::make_shared<FakeClock>();

  Event Stamp(Event e) {
    e.first_timestamp = api::meta::v1::Time(clock_->Now());
    e.last_timestamp = e.first_timestamp;
    return e;
  }
  CorrelatorOptions Options() {
    CorrelatorOptions o;
    o.clock = clock_;
    return o;
  }
};

TEST(CorrelatorKeysTest, KeysAreConcatenatedWithoutSeparators) {
  Event e = MakeEvent("msg");
  EXPECT_EQ(GetEventKey(e), "kubeletnode-1Podnspod1spec.containers{app}uid-1v1NormalStartedmsg");
  EXPECT_EQ(GetSpamKey(e), "kubeletnode-1Podnspod1uid-1v1Normal");
  auto [agg, local] = EventAggregatorByReasonFunc(e);
  EXPECT_EQ(agg, "kubeletnode-1Podnspod1uid-1v1NormalStartedkubeletnode-1");
  EXPECT_EQ(local, "msg");
  EXPECT_EQ(EventAggregatorByReasonMessageFunc(e), "(combined from similar events): msg");
}

TEST_F(CorrelatorTest, FirstOccurrenceIsSentUnchangedWithoutPatch) {
  EventCorrelator c(Options());
  Event e = Stamp(MakeEvent("hello"));
  auto r = c.EventCorrelate(e);
  EXPECT_FALSE(r.skip);
  EXPECT_TRUE(r.patch.empty());
  EXPECT_EQ(r.event, e);
}

TEST_F(CorrelatorTest, RepeatGetsCountNameFirstTimestampAndExactPatch) {
  EventCorrelator c(Options());
  Event first = Stamp(MakeEvent("hello"));
  first.metadata.resource_version = "";
  c.EventCorrelate(first);
  clock_->Step(5s);
  Event second = Stamp(MakeEvent("hello"));
  second.metadata.name = "pod1.def";
  auto r = c.EventCorrelate(second);
  ASSERT_FALSE(r.skip);
  EXPECT_EQ(r.event.count, 2);
  EXPECT_EQ(r.event.metadata.name, "pod1.abc");
  EXPECT_EQ(r.event.first_timestamp, first.first_timestamp);
  EXPECT_EQ(r.event.last_timestamp, second.last_timestamp);
  EXPECT_EQ(r.patch, "{\"count\":2,\"lastTimestamp\":\"" + second.last_timestamp.ToString() +
                         "\",\"message\":\"hello\"}");
  clock_->Step(1s);
  auto third = c.EventCorrelate(Stamp(MakeEvent("hello")));
  EXPECT_EQ(third.event.count, 3);
  EXPECT_NE(third.patch.find("\"count\":3"), std::string::npos);
}

TEST_F(CorrelatorTest, FieldPathSeparatesCountsButNotSpamBuckets) {
  auto o = Options();
  o.burst_size = 2;
  EventCorrelator c(o);
  Event a = Stamp(MakeEvent("m"));
  Event b = a;
  b.involved_object.field_path = "spec.containers{sidecar}";
  EXPECT_TRUE(c.EventCorrelate(a).patch.empty());
  auto rb = c.EventCorrelate(b);  // different dedup key: a first occurrence of its own
  EXPECT_FALSE(rb.skip);
  EXPECT_TRUE(rb.patch.empty());
  EXPECT_EQ(rb.event.count, 1);
  EXPECT_TRUE(c.EventCorrelate(a).skip);  // but the spam bucket (burst 2) is shared
}

TEST_F(CorrelatorTest, UpdateStateAdoptsTheServersView) {
  EventCorrelator c(Options());
  Event e = Stamp(MakeEvent("hello"));
  c.EventCorrelate(e);
  Event server = e;
  server.metadata.name = "renamed";
  server.metadata.resource_version = "777";
  server.count = 41;
  c.UpdateState(server);
  auto r = c.EventCorrelate(Stamp(MakeEvent("hello")));
  EXPECT_EQ(r.event.count, 42);
  EXPECT_EQ(r.event.metadata.name, "renamed");
  EXPECT_EQ(r.event.metadata.resource_version, "777");
}

// UpdateState files the server's answer under the written event's dedup key whichever event
// was correlated last: the one just correlated (its cache entry is reused), an earlier one
// (the key is built and looked up), or a combined event (its key is not the aggregate key
// the correlator observed it under).
TEST_F(CorrelatorTest, UpdateStateFindsTheRightEntryWhateverWasCorrelatedLast) {
  EventCorrelator c(Options());
  const Event a = Stamp(MakeEvent("alpha"));
  const Event b = Stamp(MakeEvent("beta"));
  c.EventCorrelate(a);
  c.EventCorrelate(b);
  Event server_a = a;  // answered late: b was correlated since
  server_a.metadata.name = "a-from-server";
  server_a.count = 7;
  c.UpdateState(server_a);
  Event server_b = b;
  server_b.metadata.name = "b-from-server";
  server_b.count = 3;
  c.UpdateState(server_b);
  EXPECT_EQ(c.EventCorrelate(a).event.count, 8);
  auto rb = c.EventCorrelate(b);
  EXPECT_EQ(rb.event.count, 4);
  EXPECT_EQ(rb.event.metadata.name, "b-from-server");
  // Right after its own correlation (the reused entry), twice in a row.
  Event again = b;
  again.metadata.name = "b-again";
  again.count = 10;
  c.UpdateState(again);
  c.UpdateState(again);
  EXPECT_EQ(c.EventCorrelate(b).event.count, 11);

  // A combined event is observed under the aggregate key, but UpdateState files the server's
  // answer under the event's own dedup key (its combined message), as client-go's
  // updateState does: the aggregate key's entry, which the next combined event repeats, keeps
  // the correlator's own name and count.
  EventCorrelator d(Options());
  for (int i = 0; i < 9; ++i) d.EventCorrelate(Stamp(MakeEvent("m" + std::to_string(i))));
  auto combined = d.EventCorrelate(Stamp(MakeEvent("m9")));
  ASSERT_TRUE(combined.aggregated);
  Event server_c = combined.event;
  server_c.metadata.name = "combined-from-server";
  server_c.count = 20;
  d.UpdateState(server_c);
  auto next = d.EventCorrelate(Stamp(MakeEvent("m10")));  // combined again: a repeat of it
  EXPECT_TRUE(next.aggregated);
  EXPECT_EQ(next.event.metadata.name, combined.event.metadata.name);
  EXPECT_EQ(next.event.count, 2);
}

TEST_F(CorrelatorTest, TenDistinctMessagesAggregate) {
  EventCorrelator c(Options());
  for (int i = 0; i < 9; ++i) {
    auto r = c.EventCorrelate(Stamp(MakeEvent("message " + std::to_string(i))));
    ASSERT_FALSE(r.skip);
    EXPECT_EQ(r.event.message, "message " + std::to_string(i));
    EXPECT_TRUE(r.patch.empty());
  }
  clock_->Step(1s);
  auto r = c.EventCorrelate(Stamp(MakeEvent("message 9")));
  EXPECT_EQ(r.event.message, "(combined from similar events): message 9");
  EXPECT_EQ(r.event.count, 1);
  EXPECT_TRUE(r.patch.empty());
  const auto nanos =
      std::chrono::duration_cast<std::chrono::nanoseconds>(clock_->Now().time_since_epoch())
          .count();
  char hex[24];
  std::snprintf(hex, sizeof hex, "%llx", static_cast<unsigned long long>(nanos));
  EXPECT_EQ(r.event.metadata.name, std::string("pod1.") + hex);
  EXPECT_EQ(r.event.metadata.namespace_, "ns");
  EXPECT_EQ(r.event.first_timestamp.time(), clock_->Now());
  EXPECT_EQ(r.event.reporting_controller, "");  // dropped on the combined event
  EXPECT_EQ(r.event.source.component, "kubelet");

  // The next new message folds into the same combined event: dedup on the aggregate key.
  clock_->Step(1s);
  auto again = c.EventCorrelate(Stamp(MakeEvent("message 10")));
  EXPECT_EQ(again.event.count, 2);
  EXPECT_EQ(again.event.metadata.name, r.event.metadata.name);
  EXPECT_EQ(again.event.message, "(combined from similar events): message 10");
  EXPECT_NE(again.patch.find("\"count\":2"), std::string::npos);
}

// The combined event's message is the prefix and the message, whether the event's own buffer
// has room for the prefix (moved within it) or not (a new buffer), and whether it is passed
// by value (changed in place) or by reference (changed in a copy); long messages and object
// names of every length make the combined name and the keys as well.
TEST_F(CorrelatorTest, CombinedMessageAndNameAreTheSameForEveryBufferAndLength) {
  for (bool roomy : {false, true}) {
    for (bool by_value : {false, true}) {
      for (std::size_t name_length : {1, 2, 3, 5, 8, 13, 16, 17, 40}) {
        EventCorrelator c(Options());
        const std::string object(name_length, 'p');
        const std::string tail(roomy ? 60 : 20, 'm');
        EventCorrelateResult r;
        for (int i = 0; i < 10; ++i) {
          Event e = Stamp(MakeEvent(tail + std::to_string(i)));
          e.involved_object.name = object;
          if (roomy) e.message.reserve(200);
          r = by_value ? c.EventCorrelate(std::move(e)) : c.EventCorrelate(e);
        }
        EXPECT_EQ(r.event.message, "(combined from similar events): " + tail + "9")
            << "roomy " << roomy << " by value " << by_value;
        const auto nanos =
            std::chrono::duration_cast<std::chrono::nanoseconds>(clock_->Now().time_since_epoch())
                .count();
        char hex[24];
        std::snprintf(hex, sizeof hex, "%llx", static_cast<unsigned long long>(nanos));
        EXPECT_EQ(r.event.metadata.name, object + "." + hex) << "name length " << name_length;
        EXPECT_EQ(r.event.type_meta.api_version, "v1");
        EXPECT_EQ(r.event.type_meta.kind, "Event");
        // The next new message dedups onto it: the keys were built from every part intact.
        Event next = Stamp(MakeEvent(tail + "10"));
        next.involved_object.name = object;
        auto again = c.EventCorrelate(next);
        EXPECT_EQ(again.event.count, 2);
        EXPECT_EQ(again.event.metadata.name, r.event.metadata.name);
      }
    }
  }
}

// The three ways in give the same answers event by event: by reference (the aggregator
// decides before the input is copied), by value (changed in place), and the no-copy view with
// a spare event passed back each time (what recordToSink does). A stream of firsts, repeats,
// aggregated messages, spam-filtered repeats and server updates, with the default and with
// custom key and message functions, events of every field set (which a combined event drops).
TEST_F(CorrelatorTest, EveryEntryPointGivesTheSameResults) {
  for (bool custom : {false, true}) {
    CorrelatorOptions o = Options();
    o.burst_size = 30;
    if (custom) {
      o.key_func = [](const Event& e) { return std::make_pair(e.reason, e.message); };
      o.message_func = [](const Event& e) { return "combined: " + e.message; };
    }
    EventCorrelator by_ref(o), by_value(o), by_view(o);
    std::unique_ptr<Event> spare;
    int aggregated = 0, repeats = 0, skipped = 0;
    for (int i = 0; i < 60; ++i) {
      Event e = Stamp(MakeEvent(i % 3 == 0 ? "same" : "message " + std::to_string(i % 17)));
      e.metadata.uid = "uid-" + std::to_string(i);
      e.metadata.resource_version = std::to_string(100 + i);
      e.metadata.labels["l"] = "v";
      e.metadata.unknown_fields.emplace_back("finalizers", "[\"f\"]");
      e.action = "Act";
      e.series = api::core::v1::EventSeries{i, api::meta::v1::MicroTime(clock_->Now())};
      e.related = e.involved_object;
      e.event_time = api::meta::v1::MicroTime(clock_->Now());
      const EventCorrelateResult a = by_ref.EventCorrelate(e);
      const EventCorrelateResult b = by_value.EventCorrelate(Event(e));
      EventCorrelateView v = by_view.Correlate(e, std::move(spare));
      ASSERT_EQ(a.event, b.event) << "event " << i << (custom ? " (custom)" : "");
      EXPECT_EQ(a.patch, b.patch) << i;
      EXPECT_EQ(a.skip, b.skip) << i;
      EXPECT_EQ(a.aggregated, b.aggregated) << i;
      EXPECT_EQ(a.aggregated, v.aggregated) << i;
      EXPECT_EQ(a.skip, v.skip) << i;
      if (!a.skip) {
        ASSERT_EQ(a.event, v.event()) << "view of event " << i;
        EXPECT_EQ(a.patch, v.patch) << i;
      }
      if (i % 7 == 0 && !a.skip) {  // the server's answer to a write
        Event answer = a.event;
        answer.metadata.resource_version = "rv-" + std::to_string(i);
        by_ref.UpdateState(answer);
        by_value.UpdateState(answer);
        by_view.UpdateState(answer);
      }
      spare = std::move(v.modified);
      if (i % 11 == 10) clock_->Step(1s);
      aggregated += a.aggregated ? 1 : 0;
      repeats += !a.skip && !a.patch.empty() ? 1 : 0;
      skipped += a.skip ? 1 : 0;
    }
    // The stream went through every case.
    EXPECT_GT(aggregated, 0);
    EXPECT_GT(repeats, 0);
    EXPECT_GT(skipped, 0);
  }
}

TEST_F(CorrelatorTest, AggregationWindowResetsOnlyAfterMoreThanTheInterval) {
  EventCorrelator c(Options());
  for (int i = 0; i < 9; ++i) c.EventCorrelate(Stamp(MakeEvent("m" + std::to_string(i))));
  clock_->Step(600s);  // exactly the interval: still the same window (strictly greater resets)
  EXPECT_EQ(c.EventCorrelate(Stamp(MakeEvent("m9"))).event.message,
            "(combined from similar events): m9");

  EventCorrelator d(Options());
  for (int i = 0; i < 9; ++i) d.EventCorrelate(Stamp(MakeEvent("m" + std::to_string(i))));
  clock_->Step(601s);
  EXPECT_EQ(d.EventCorrelate(Stamp(MakeEvent("m9"))).event.message, "m9");
}

TEST_F(CorrelatorTest, SpamFilterAllowsBurstThenOnePerFiveMinutes) {
  EventCorrelator c(Options());
  int sent = 0;
  for (int i = 0; i < 30; ++i) {
    if (!c.EventCorrelate(Stamp(MakeEvent("same"))).skip) ++sent;
  }
  EXPECT_EQ(sent, 25);
  clock_->Step(299s);
  EXPECT_TRUE(c.EventCorrelate(Stamp(MakeEvent("same"))).skip);
  clock_->Step(1s);
  auto r = c.EventCorrelate(Stamp(MakeEvent("same")));
  EXPECT_FALSE(r.skip);
  // Skipped occurrences were still counted by the dedup logger (it runs before the filter).
  EXPECT_EQ(r.event.count, 32);
  EXPECT_TRUE(c.EventCorrelate(Stamp(MakeEvent("same"))).skip);
}

TEST_F(CorrelatorTest, SpamKeyIncludesType) {
  auto o = Options();
  o.burst_size = 1;
  EventCorrelator c(o);
  EXPECT_FALSE(c.EventCorrelate(Stamp(MakeEvent("a"))).skip);
  EXPECT_TRUE(c.EventCorrelate(Stamp(MakeEvent("b"))).skip);
  EXPECT_FALSE(c.EventCorrelate(Stamp(MakeEvent("c", "Failed", "Warning"))).skip);
}

TEST_F(CorrelatorTest, SpamFilterCanBeDisabledOrKeyedPerEvent) {
  auto o = Options();
  o.disable_spam_filter = true;
  EventCorrelator c(o);
  for (int i = 0; i < 1000; ++i) ASSERT_FALSE(c.EventCorrelate(Stamp(MakeEvent("x"))).skip);

  auto p = Options();
  p.burst_size = 1;
  p.spam_key_func = [](const Event& e) { return e.message; };
  EventCorrelator d(p);
  EXPECT_FALSE(d.EventCorrelate(Stamp(MakeEvent("a"))).skip);
  EXPECT_FALSE(d.EventCorrelate(Stamp(MakeEvent("b"))).skip);
  EXPECT_TRUE(d.EventCorrelate(Stamp(MakeEvent("a"))).skip);
}

TEST_F(CorrelatorTest, LruEvictionForgetsOldEntries) {
  auto o = Options();
  o.lru_cache_size = 2;
  o.burst_size = 1;
  EventCorrelator c(o);
  auto on = [](std::string name) {
    Event e = MakeEvent("m");
    e.involved_object.name = name;
    return e;
  };
  EXPECT_FALSE(c.EventCorrelate(Stamp(on("a"))).skip);
  EXPECT_TRUE(c.EventCorrelate(Stamp(on("a"))).skip);
  c.EventCorrelate(Stamp(on("b")));
  c.EventCorrelate(Stamp(on("c")));  // evicts a's bucket and a's dedup record
  auto r = c.EventCorrelate(Stamp(on("a")));
  EXPECT_FALSE(r.skip);  // the bucket came back full
  EXPECT_EQ(r.event.count, 1);
  EXPECT_TRUE(r.patch.empty());
}

TEST_F(CorrelatorTest, CustomKeyAndMessageFunctions) {
  auto o = Options();
  o.max_events = 2;
  o.key_func = [](const Event& e) { return std::make_pair(e.reason, e.message); };
  o.message_func = [](const Event& e) { return "combined: " + e.message; };
  EventCorrelator c(o);
  EXPECT_EQ(c.EventCorrelate(Stamp(MakeEvent("one"))).event.message, "one");
  EXPECT_EQ(c.EventCorrelate(Stamp(MakeEvent("two"))).event.message, "combined: two");
}

TEST(DedupPatchTest, ExactBodies) {
  using api::meta::v1::Time;
  const Time t(api::meta::v1::TimePoint(std::chrono::seconds(1714557603)));
  EXPECT_EQ(MakeDedupPatch(2, t, "msg"),
            R"({"count":2,"lastTimestamp":"2024-05-01T10:00:03Z","message":"msg"})");
  EXPECT_EQ(MakeDedupPatch(3, t, ""), R"({"count":3,"lastTimestamp":"2024-05-01T10:00:03Z"})");
  EXPECT_EQ(MakeDedupPatch(4, Time(), "a<b"),
            R"({"count":4,"lastTimestamp":null,"message":"a\u003cb"})");
  EXPECT_EQ(MakeDedupPatch(5, Time(api::meta::v1::TimePoint()), "m"),
            R"({"count":5,"message":"m"})");
}

// The correlator builds the dedup key together with the aggregate key (they share a prefix
// when fieldPath is empty); it must be exactly GetEventKey, the key UpdateState files the
// server's answer under, with or without a fieldPath.
TEST_F(CorrelatorTest, DedupKeyMatchesUpdateStateWithAndWithoutFieldPath) {
  for (const std::string field_path : {"", "spec.containers{app}"}) {
    EventCorrelator c(Options());
    Event e = Stamp(MakeEvent("pulled"));
    e.involved_object.field_path = field_path;
    e.reporting_controller = "a-long-reporting-controller-name";
    auto first = c.EventCorrelate(e);
    Event server = first.event;
    server.metadata.name = "from-server";
    server.metadata.resource_version = "77";
    c.UpdateState(server);
    clock_->Step(1s);
    Event again = e;
    again.last_timestamp = api::meta::v1::Time(clock_->Now());
    auto r = c.EventCorrelate(again);
    EXPECT_EQ(r.event.metadata.name, "from-server") << "fieldPath '" << field_path << "'";
    EXPECT_EQ(r.event.metadata.resource_version, "77");
    EXPECT_EQ(r.event.count, 2);
    // A different fieldPath is a different dedup key (but the same aggregate key).
    Event other = again;
    other.involved_object.field_path = field_path.empty() ? "x" : "";
    auto o = c.EventCorrelate(other);
    EXPECT_EQ(o.event.count, 1);
    EXPECT_TRUE(o.patch.empty());
  }
}

// Repeats within one second share the formatted lastTimestamp; the next second gets its own.
TEST_F(CorrelatorTest, PatchTimestampsFollowEachRepeat) {
  EventCorrelator c(Options());
  c.EventCorrelate(Stamp(MakeEvent("m")));
  for (int i = 0; i < 3; ++i) {
    clock_->Step(i == 1 ? 1s : 100ms);
    Event e = Stamp(MakeEvent("m"));
    auto r = c.EventCorrelate(e);
    EXPECT_EQ(r.patch, "{\"count\":" + std::to_string(i + 2) + ",\"lastTimestamp\":\"" +
                           e.last_timestamp.ToString() + "\",\"message\":\"m\"}");
  }
}

// Once max_events - 1 distinct messages are held, each new message is aggregated and replaces
// the oldest one (Go pops an arbitrary one); a message still held is not aggregated.
TEST_F(CorrelatorTest, AggregationWindowHoldsTheNewestMessages) {
  auto o = Options();
  o.max_events = 3;
  EventCorrelator c(o);
  EXPECT_FALSE(c.EventCorrelate(Stamp(MakeEvent("a"))).aggregated);
  EXPECT_FALSE(c.EventCorrelate(Stamp(MakeEvent("b"))).aggregated);
  EXPECT_TRUE(c.EventCorrelate(Stamp(MakeEvent("c"))).aggregated);   // holds b, c
  EXPECT_FALSE(c.EventCorrelate(Stamp(MakeEvent("b"))).aggregated);  // still held
  EXPECT_FALSE(c.EventCorrelate(Stamp(MakeEvent("c"))).aggregated);
  EXPECT_TRUE(c.EventCorrelate(Stamp(MakeEvent("a"))).aggregated);  // holds a, c
  EXPECT_TRUE(c.EventCorrelate(Stamp(MakeEvent("b"))).aggregated);  // holds a, b
  EXPECT_FALSE(c.EventCorrelate(Stamp(MakeEvent("a"))).aggregated);
}

// EventCorrelate (which builds a combined event out of its own copy of the input) and Correlate
// (which leaves the input alone) give the same events and patches, combined ones included.
TEST_F(CorrelatorTest, BothApisGiveTheSameEventsAndPatches) {
  EventCorrelator by_value(Options());
  EventCorrelator by_view(Options());
  std::unique_ptr<Event> scratch;
  int combined = 0;
  for (int i = 0; i < 30; ++i) {
    Event e = Stamp(MakeEvent("message " + std::to_string(i % 14)));
    // Fields a combined event does not carry over.
    e.action = "kept only on uncombined events";
    e.metadata.generate_name = "g-";
    e.metadata.uid = "uid-of-the-input";
    e.metadata.resource_version = "42";
    e.metadata.generation = 3;
    e.metadata.labels = {{"l", "1"}};
    e.metadata.annotations = {{"a", "2"}};
    e.metadata.unknown_fields = {{"ownerReferences", "[]"}};
    e.event_time = api::meta::v1::MicroTime(clock_->Now());
    e.series = api::core::v1::EventSeries{2, api::meta::v1::MicroTime(clock_->Now())};
    e.related = api::core::v1::ObjectReference{"Node", "", "n", "", "v1", "", ""};
    const Event input = e;
    auto a = by_value.EventCorrelate(e);
    auto b = by_view.Correlate(input, std::move(scratch));
    ASSERT_EQ(a.skip, b.skip) << i;
    if (a.skip) continue;  // the spam filter's burst of 25 is used up
    EXPECT_EQ(a.event, b.event()) << i;
    EXPECT_EQ(a.patch, b.patch) << i;
    EXPECT_EQ(a.aggregated, b.aggregated) << i;
    EXPECT_EQ(input, e) << "Correlate's input is untouched";
    if (a.aggregated) {
      ++combined;
      EXPECT_EQ(a.event.involved_object, input.involved_object);
      EXPECT_EQ(a.event.type, input.type);
      EXPECT_EQ(a.event.reason, input.reason);
      EXPECT_EQ(a.event.source, input.source);
      EXPECT_EQ(a.event.metadata.namespace_, input.metadata.namespace_);
      EXPECT_EQ(a.event.action, "");
    }
    scratch = std::move(b.modified);
    clock_->Step(1s);
  }
  EXPECT_GT(combined, 0);
}

}  // namespace
}  // namespace kube::record
