// The store shared by both APIs, the conversions between them, selectors and patches.
#include "kubeevents/tools/localapiserver/internal/store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <thread>
#include <vector>

#include "kubeevents/api/common/uuid.h"
#include "kubeevents/api/json.h"
#include "kubeevents/tools/localapiserver/internal/conversion.h"
#include "kubeevents/tools/localapiserver/internal/handler.h"
#include "kubeevents/tools/localapiserver/internal/names.h"
#include "kubeevents/tools/localapiserver/internal/patch.h"
#include "kubeevents/tools/localapiserver/internal/selector.h"

namespace kube::localapiserver::internal {
namespace {

namespace v1 = api::core::v1;
using api::meta::v1::MicroTime;
using api::meta::v1::Time;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

v1::Event MakeEvent(std::string ns, std::string name) {
  v1::Event e;
  e.metadata.namespace_ = ns;
  e.metadata.name = std::move(name);
  e.involved_object = {"Pod", ns, "pod1", "uid-1", "v1", "42", "spec.containers{app}"};
  e.reason = "Started";
  e.message = "hello";
  e.type = "Normal";
  e.source = {"kubelet", "node1"};
  return e;
}

TEST(ConversionTest, EventsV1RoundTripsThroughTheStoredForm) {
  api::events::v1::Event e;
  e.metadata.name = "n";
  e.metadata.namespace_ = "ns";
  e.event_time = MicroTime(Clock::time_point(std::chrono::microseconds(1714557603123456)));
  e.series = api::events::v1::EventSeries{3, e.event_time};
  e.reporting_controller = "ctrl";
  e.reporting_instance = "ctrl-host";
  e.action = "Act";
  e.reason = "Why";
  e.regarding = {"Pod", "ns", "p", "u", "v1", "7", ""};
  e.related = v1::ObjectReference{"Node", "", "n1", "", "v1", "", ""};
  e.note = "note";
  e.type = "Warning";
  e.deprecated_source = {"c", "h"};
  e.deprecated_first_timestamp = Time(Clock::time_point(std::chrono::seconds(10)));
  e.deprecated_last_timestamp = Time(Clock::time_point(std::chrono::seconds(20)));
  e.deprecated_count = 9;
  const auto stored = ToStored(e);
  EXPECT_EQ(stored.message, "note");
  EXPECT_EQ(stored.involved_object, e.regarding);
  EXPECT_EQ(stored.source, e.deprecated_source);
  EXPECT_EQ(stored.first_timestamp, e.deprecated_first_timestamp);
  EXPECT_EQ(stored.last_timestamp, e.deprecated_last_timestamp);
  EXPECT_EQ(stored.count, 9);
  EXPECT_EQ(stored.reporting_controller, "ctrl");
  ASSERT_TRUE(stored.series.has_value());
  EXPECT_EQ(stored.series->count, 3);
  EXPECT_EQ(stored.type_meta.api_version, "v1");
  EXPECT_EQ(ToEventsV1(stored), e);
  // The core JSON names the controller reportingComponent.
  EXPECT_THAT(api::ToJson(stored), HasSubstr(R"("reportingComponent":"ctrl")"));
}

class StoreTest : public ::testing::Test {
 protected:
  std::shared_ptr<FakeClock> clock_ = std::make_shared<FakeClock>();
  EventStore store_{{std::chrono::hours(1), clock_, 4, 1000}};
  Selector all_ = *Selector::Parse("", "", RequestVersion::kCoreV1);
};

TEST_F(StoreTest, CreateGetAndMonotonicResourceVersions) {
  auto a = store_.Create(MakeEvent("ns1", "a"));
  ASSERT_TRUE(a.ok());
  auto b = store_.Create(MakeEvent("ns1", "b"));
  ASSERT_TRUE(b.ok());
  EXPECT_LT(std::stoull((*a)->metadata.resource_version),
            std::stoull((*b)->metadata.resource_version));
  EXPECT_EQ(store_.Create(MakeEvent("ns1", "a")).status().code(), StatusCode::kAlreadyExists);
  ASSERT_NE(store_.Get("ns1", "a"), nullptr);
  EXPECT_EQ(store_.Get("ns2", "a"), nullptr);
  EXPECT_EQ(store_.ResourceVersion(), std::stoull((*b)->metadata.resource_version));
}

TEST_F(StoreTest, ListsByNamespaceInKeyOrderWithPaging) {
  for (auto [ns, name] : std::vector<std::pair<std::string, std::string>>{
           {"b", "2"}, {"a", "1"}, {"a-x", "0"}, {"b", "1"}, {"a", "3"}}) {
    ASSERT_TRUE(store_.Create(MakeEvent(ns, name)).ok());
  }
  auto names = [](const EventStore::ListResult& r) {
    std::vector<std::string> out;
    for (const auto& e : r.items) out.push_back(e->metadata.namespace_ + "/" + e->metadata.name);
    return out;
  };
  EXPECT_THAT(names(store_.List("", all_, 0, "")),
              ElementsAre("a-x/0", "a/1", "a/3", "b/1", "b/2"));
  EXPECT_THAT(names(store_.List("a", all_, 0, "")), ElementsAre("a/1", "a/3"));
  auto page1 = store_.List("", all_, 2, "");
  EXPECT_THAT(names(page1), ElementsAre("a-x/0", "a/1"));
  EXPECT_EQ(page1.remaining, 3);
  auto page2 = store_.List("", all_, 2, page1.last_key);
  EXPECT_THAT(names(page2), ElementsAre("a/3", "b/1"));
  auto page3 = store_.List("", all_, 2, page2.last_key);
  EXPECT_THAT(names(page3), ElementsAre("b/2"));
  EXPECT_TRUE(page3.last_key.empty());
}

TEST_F(StoreTest, TtlExpiresEventsAndRefreshesOnWrite) {
  ASSERT_TRUE(store_.Create(MakeEvent("ns", "old")).ok());
  clock_->Step(std::chrono::minutes(40));
  ASSERT_TRUE(store_.Create(MakeEvent("ns", "young")).ok());
  bool created = false;
  // Updating "old" at 40 min refreshes its TTL.
  ASSERT_TRUE(store_
                  .Update(
                      "ns", "old", false,
                      [](const v1::Event* cur) -> StatusOr<v1::Event> { return *cur; }, created)
                  .ok());
  clock_->Step(std::chrono::minutes(30));  // 70 min after the create
  EXPECT_NE(store_.Get("ns", "old"), nullptr);
  clock_->Step(std::chrono::minutes(11));  // 81 min: 41 min after both last writes... still alive
  EXPECT_NE(store_.Get("ns", "young"), nullptr);
  clock_->Step(std::chrono::minutes(20));  // 101 min: both expired (last writes at 40 min)
  EXPECT_EQ(store_.Get("ns", "old"), nullptr);
  EXPECT_EQ(store_.Get("ns", "young"), nullptr);
  EXPECT_EQ(store_.Size(), 0u);
}

TEST_F(StoreTest, UpdateAllowsCreateOnlyWhenAsked) {
  bool created = false;
  auto fn = [](const v1::Event* cur) -> StatusOr<v1::Event> {
    return cur != nullptr ? *cur : MakeEvent("ns", "x");
  };
  EXPECT_EQ(store_.Update("ns", "x", false, fn, created).status().code(), StatusCode::kNotFound);
  ASSERT_TRUE(store_.Update("ns", "x", true, fn, created).ok());
  EXPECT_TRUE(created);
  ASSERT_TRUE(store_.Update("ns", "x", true, fn, created).ok());
  EXPECT_FALSE(created);
}

TEST_F(StoreTest, DeleteWithPreconditions) {
  auto e = MakeEvent("ns", "x");
  e.metadata.uid = "u1";
  ASSERT_TRUE(store_.Create(e).ok());
  auto st = store_.Delete("ns", "x", "u2", "");
  EXPECT_EQ(st.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(st.status().message(),
            "Precondition failed: UID in precondition: u2, UID in object meta: u1");
  EXPECT_TRUE(store_.Delete("ns", "x", "u1", "").ok());
  EXPECT_EQ(store_.Delete("ns", "x", "", "").status().code(), StatusCode::kNotFound);
}

TEST_F(StoreTest, WatchSeesInitialStateThenChangesIncludingExpiry) {
  ASSERT_TRUE(store_.Create(MakeEvent("ns", "a")).ok());
  ASSERT_TRUE(store_.Create(MakeEvent("other", "b")).ok());
  int notified = 0;
  auto w = store_.Watch("ns", all_, "", [&] { ++notified; });
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE(store_.Create(MakeEvent("ns", "c")).ok());
  ASSERT_TRUE(store_.Create(MakeEvent("other", "d")).ok());
  clock_->Step(std::chrono::hours(2));
  store_.PurgeExpired();
  bool closed = false;
  auto changes = (*w)->Drain(closed);
  std::vector<std::string> seen;
  for (const auto& c : changes) {
    seen.push_back(std::string(c.type == Change::Type::kAdded ? "ADDED " : "DELETED ") +
                   c.object->metadata.name);
  }
  EXPECT_THAT(seen, ElementsAre("ADDED a", "ADDED c", "DELETED a", "DELETED c"));
  EXPECT_GE(notified, 3);
  EXPECT_FALSE(closed);
  store_.CloseWatchers();
  (*w)->Drain(closed);
  EXPECT_TRUE(closed);
}

TEST_F(StoreTest, WatchResumesFromResourceVersionWithinHistory) {
  auto a = store_.Create(MakeEvent("ns", "a"));
  const std::string rv = (*a)->metadata.resource_version;
  ASSERT_TRUE(store_.Create(MakeEvent("ns", "b")).ok());
  auto w = store_.Watch("", all_, rv, nullptr);
  ASSERT_TRUE(w.ok());
  bool closed = false;
  auto changes = (*w)->Drain(closed);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].object->metadata.name, "b");
  // History keeps 4 changes: after 5 more, `rv` is too old.
  for (int i = 0; i < 5; ++i)
    ASSERT_TRUE(store_.Create(MakeEvent("ns", "z" + std::to_string(i))).ok());
  auto old = store_.Watch("", all_, rv, nullptr);
  EXPECT_EQ(old.status().code(), StatusCode::kOutOfRange);
  EXPECT_THAT(old.status().message(), HasSubstr("too old resource version"));
}

TEST_F(StoreTest, BookmarksGoOnlyToWatchersThatAskForThem) {
  ASSERT_TRUE(store_.Create(MakeEvent("ns", "a")).ok());
  const std::string rv = std::to_string(store_.ResourceVersion());
  auto with = store_.Watch("", all_, rv, nullptr, /*allow_bookmarks=*/true);
  auto without = store_.Watch("", all_, rv, nullptr);
  ASSERT_TRUE(with.ok() && without.ok());
  ASSERT_TRUE(store_.Create(MakeEvent("ns", "b")).ok());
  store_.Bookmark();
  bool closed = false;
  auto changes = (*with)->Drain(closed);
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[1].type, Change::Type::kBookmark);
  EXPECT_EQ(changes[1].bookmark_rv, store_.ResourceVersion());
  EXPECT_EQ(
      EncodeWatchFrame(changes[1], RequestVersion::kCoreV1),
      R"({"type":"BOOKMARK","object":{"kind":"Event","apiVersion":"v1","metadata":{"resourceVersion":")" +
          std::to_string(store_.ResourceVersion()) + "\"}}}\n");
  EXPECT_EQ((*without)->Drain(closed).size(), 1u);
}

TEST_F(StoreTest, CompactHistoryMakesOlderVersionsTooOld) {
  auto a = store_.Create(MakeEvent("ns", "a"));
  const std::string rv = (*a)->metadata.resource_version;
  ASSERT_TRUE(store_.Create(MakeEvent("ns", "b")).ok());
  store_.CompactHistory();
  auto old = store_.Watch("", all_, rv, nullptr);
  EXPECT_EQ(old.status().code(), StatusCode::kOutOfRange);
  EXPECT_EQ(old.status().message(), "too old resource version: " + rv + " (" +
                                        std::to_string(store_.ResourceVersion()) + ")");
  EXPECT_TRUE(store_.Watch("", all_, std::to_string(store_.ResourceVersion()), nullptr).ok());
}

TEST_F(StoreTest, CutAndInjectReachEveryOpenWatch) {
  auto w = store_.Watch("", all_, "", nullptr);
  ASSERT_TRUE(w.ok());
  store_.InjectRaw("garbage");
  bool closed = false;
  auto changes = (*w)->Drain(closed);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(EncodeWatchFrame(changes[0], RequestVersion::kCoreV1), "garbage");
  store_.CutWatchers();
  (*w)->Drain(closed);
  EXPECT_TRUE(closed);
  EXPECT_TRUE((*w)->cut());
  auto fresh = store_.Watch("", all_, "", nullptr);  // new watches are unaffected
  ASSERT_TRUE(fresh.ok());
  ASSERT_TRUE(store_.Create(MakeEvent("ns", "c")).ok());
  EXPECT_EQ((*fresh)->Drain(closed).size(), 1u);
  EXPECT_FALSE(closed);
}

TEST(SelectorTest, CoreFieldsAndUnsupportedLabels) {
  auto e = MakeEvent("ns", "x");
  e.reporting_controller = "rc";
  auto s = Selector::Parse("involvedObject.kind=Pod,reason==Started,type!=Warning", "",
                           RequestVersion::kCoreV1);
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(s->Matches(e));
  EXPECT_TRUE(Selector::Parse("source=kubelet", "", RequestVersion::kCoreV1)->Matches(e));
  e.source.component.clear();
  EXPECT_TRUE(Selector::Parse("source=rc", "", RequestVersion::kCoreV1)->Matches(e));  // fallback
  EXPECT_TRUE(Selector::Parse("reportingComponent=rc,metadata.namespace=ns,metadata.name=x", "",
                              RequestVersion::kCoreV1)
                  ->Matches(e));
  EXPECT_FALSE(Selector::Parse("involvedObject.fieldPath=spec.containers{other}", "",
                               RequestVersion::kCoreV1)
                   ->Matches(e));
  auto bad = Selector::Parse("regarding.name=pod1", "", RequestVersion::kCoreV1);
  EXPECT_EQ(bad.status().message(), "field label not supported: regarding.name");
  auto garbage = Selector::Parse("nonsense", "", RequestVersion::kCoreV1);
  EXPECT_EQ(garbage.status().message(),
            "invalid selector: 'nonsense'; can't understand 'nonsense'");
}

TEST(SelectorTest, EventsV1LabelsMapToCoreFields) {
  auto e = MakeEvent("ns", "x");
  e.reporting_controller = "rc";
  auto s = Selector::Parse("regarding.name=pod1,regarding.uid=uid-1,reportingController=rc", "",
                           RequestVersion::kEventsV1);
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(s->Matches(e));
  EXPECT_FALSE(Selector::Parse("regarding.name=pod2", "", RequestVersion::kEventsV1)->Matches(e));
  // Unknown labels pass through and compare against "".
  EXPECT_FALSE(Selector::Parse("note=hello", "", RequestVersion::kEventsV1)->Matches(e));
}

TEST(SelectorTest, EscapedValuesAndLabelSelectors) {
  auto e = MakeEvent("ns", "x");
  e.message = "a,b";
  e.reason = "a,b=c";
  EXPECT_TRUE(Selector::Parse(R"(reason=a\,b\=c)", "", RequestVersion::kCoreV1)->Matches(e));
  e.metadata.labels = {{"app", "web"}, {"tier", "front"}};
  auto match = [&](const char* ls) {
    auto s = Selector::Parse("", ls, RequestVersion::kCoreV1);
    EXPECT_TRUE(s.ok()) << ls << ": " << s.status();
    return s.ok() && s->Matches(e);
  };
  EXPECT_TRUE(match("app=web"));
  EXPECT_TRUE(match("app==web,tier"));
  EXPECT_TRUE(match("app in (web, api),!missing"));
  EXPECT_FALSE(match("app notin (web)"));
  EXPECT_FALSE(match("app!=web"));
  EXPECT_FALSE(Selector::Parse("", "a b c", RequestVersion::kCoreV1).ok());
}

TEST(PatchTest, MergePatchReplacesListsAndDeletesNulls) {
  auto out = ApplyMergePatch(R"({"a":{"b":1,"c":2},"l":[1,2],"k":"v"})",
                             R"({"a":{"b":null,"d":3},"l":[3],"k":null})");
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, R"({"a":{"c":2,"d":3},"l":[3]})");
  EXPECT_FALSE(ApplyMergePatch("{}", "{not json").ok());
}

TEST(PatchTest, StrategicMergePatchDirectives) {
  auto out = ApplyStrategicMergePatch(
      R"({"metadata":{"labels":{"a":"1","b":"2"},"finalizers":["x"],"ownerReferences":[{"uid":"1","name":"o1"}]},"series":{"count":2}})",
      R"({"metadata":{"labels":{"$patch":"replace","c":"3"},"finalizers":["y"],"ownerReferences":[{"uid":"1","name":"renamed"},{"uid":"2","name":"o2"}]},"series":{"count":3,"lastObservedTime":"2024-05-01T10:00:03.000000Z"}})");
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(
      *out,
      R"({"metadata":{"labels":{"c":"3"},"finalizers":["x","y"],"ownerReferences":[{"uid":"1","name":"renamed"},{"uid":"2","name":"o2"}]},"series":{"count":3,"lastObservedTime":"2024-05-01T10:00:03.000000Z"}})");
  auto deleted = ApplyStrategicMergePatch(
      R"({"related":{"kind":"Node"},"x":1})",
      R"({"related":{"$patch":"delete"},"$deleteFromPrimitiveList/l":[1]})");
  ASSERT_TRUE(deleted.ok());
  EXPECT_EQ(*deleted, R"({"x":1})");
  EXPECT_FALSE(ApplyStrategicMergePatch("{}", "[1]").ok());
  EXPECT_FALSE(ApplyStrategicMergePatch("{}", R"({"a":{"$patch":"bogus"}})").ok());
}

}  // namespace
}  // namespace kube::localapiserver::internal

namespace kube::localapiserver::internal {
namespace {

// Random version 4 UIDs, drawn 4 KiB of random bytes at a time: well formed, and distinct
// across pool refills and threads.
TEST(UIDGeneratorTest, UIDsAreVersion4AndDistinctAcrossRefillsAndThreads) {
  UIDGenerator gen;
  constexpr int kThreads = 4;
  constexpr int kPerThread = 300;  // more than one pool (256 UIDs) per thread
  std::vector<std::vector<std::string>> got(kThreads);
  {
    std::vector<std::jthread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&gen, &out = got[static_cast<std::size_t>(t)]] {
        for (int i = 0; i < kPerThread; ++i) out.push_back(gen.Next());
      });
    }
  }
  std::set<std::string> all;
  for (const auto& v : got) {
    for (const auto& uid : v) {
      ASSERT_EQ(uid.size(), 36u) << uid;
      EXPECT_EQ(uid[8], '-');
      EXPECT_EQ(uid[14], '4') << uid;                                          // version 4
      EXPECT_NE(std::string("89ab").find(uid[19]), std::string::npos) << uid;  // RFC 4122
      all.insert(uid);
    }
  }
  EXPECT_EQ(all.size(), static_cast<std::size_t>(kThreads * kPerThread));
  EXPECT_EQ(kube::NewUUID().size(), 36u);
}

}  // namespace
}  // namespace kube::localapiserver::internal
